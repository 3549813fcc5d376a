# ORG_URL/ID_OR_LOGIN: the org's URL, then the account's Okta id or login.
terraform import okta_msp_service_account.deep_link "https://acme.okta.com/deeplink@msp.example"

# The org's URL; its API token must be in the provider's org_tokens.
terraform import okta_msp_org.acme "https://acme.okta.com"

# A token of acme's service app (its org_credentials entry), minted for this run only.
ephemeral "okta_msp_org_access_token" "acme" {
  org_url = "https://acme.okta.com"
  scopes  = ["okta.groups.manage", "okta.users.read"]
}

# okta/okta on the same credential (Terraform >= 1.10), nothing stored:
#
# provider "oktaokta" {
#   org_name     = "acme"
#   base_url     = "okta.com"
#   access_token = ephemeral.okta_msp_org_access_token.acme.access_token
# }

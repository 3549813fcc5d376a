# Terraform 1.12 and later: adopt an account by its identity, the org and the Okta user id (what
# `terraform query` lists and `-generate-config-out` writes for a whole fleet).
import {
  to = okta_msp_service_account.sync
  identity = {
    org_url = "https://acme.okta.com"
    id      = "00u1abcdEFGHijkl5678"
  }
}

resource "okta_msp_service_account" "sync" {
  org_url     = "https://acme.okta.com"
  kind        = "custom"
  login       = "svc-sync@msp.example"
  email       = "svc-sync@msp.example"
  admin_roles = ["READ_ONLY_ADMIN"]
}

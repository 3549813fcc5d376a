# Adopt an existing customer org by its URL. Its integration account's API token goes in the
# provider's org_tokens (or OKTA_MSP_ORG_TOKENS), keyed by the same URL.
import {
  to = okta_msp_org.existing
  id = "https://acme.okta.com"
}

resource "okta_msp_org" "existing" {
  name              = "Acme Corp"
  subdomain         = "acme"
  integration_login = "msp-integration@acme.example"
  integration_email = "msp-integration@acme.example"
}

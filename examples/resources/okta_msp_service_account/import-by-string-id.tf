# Adopt the Deep Link account the MSP platform created in an existing org.
import {
  to = okta_msp_service_account.deep_link
  id = "https://acme.okta.com/deeplink@msp.example"
}

resource "okta_msp_service_account" "deep_link" {
  org_url = "https://acme.okta.com"
  kind    = "deep_link"
  login   = "deeplink@msp.example"
  email   = "deeplink@msp.example"
}

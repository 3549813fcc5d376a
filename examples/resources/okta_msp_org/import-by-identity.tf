# Terraform 1.12 and later: adopt an existing customer org by its identity, its URL.
import {
  to = okta_msp_org.globex
  identity = {
    url = "https://globex.okta.com"
  }
}

resource "okta_msp_org" "globex" {
  name              = "Globex"
  subdomain         = "globex"
  integration_login = "msp-integration@globex.example"
  integration_email = "msp-integration@globex.example"
}

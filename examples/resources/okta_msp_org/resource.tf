resource "okta_msp_org" "acme" {
  name              = "Acme Corp"
  subdomain         = "acme-corp"
  website           = "https://acme.example"
  integration_login = "msp-integration+acme@msp.example"
  integration_email = "msp-integration+acme@msp.example"
}

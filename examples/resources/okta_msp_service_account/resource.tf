# The AD agent account of an org created in the same configuration.
resource "okta_msp_service_account" "ad_agent" {
  org_url       = okta_msp_org.acme.url
  org_api_token = okta_msp_org.acme.api_token
  kind          = "ad_agent"
  login         = "okta-ad-agent+acme@msp.example"
  email         = "okta-ad-agent+acme@msp.example"
}

# A RADIUS account in an existing org whose token is in the provider's org_tokens.
resource "okta_msp_service_account" "radius" {
  org_url = "https://globex.okta.com"
  kind    = "radius"
  login   = "okta-radius@msp.example"
  email   = "okta-radius@msp.example"
}

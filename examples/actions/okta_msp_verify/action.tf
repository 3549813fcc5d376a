# Prove it now: terraform apply -invoke=action.okta_msp_verify.fleet
action "okta_msp_verify" "fleet" {
  config {
    org_urls = ["https://acme.okta.com", "https://globex.okta.com"]
    kinds    = ["ad_agent", "radius"]
  }
}

# Or after every change of an account, in the same apply.
resource "okta_msp_service_account" "verified_radius" {
  org_url = "https://globex.okta.com"
  kind    = "radius"
  login   = "okta-radius-2@msp.example"
  email   = "okta-radius-2@msp.example"

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.okta_msp_verify.fleet]
    }
  }
}

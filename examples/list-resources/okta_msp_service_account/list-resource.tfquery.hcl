# fleet.tfquery.hcl: every service account of every org in the provider's org_tokens.
# `terraform query` lists them; `terraform query -generate-config-out=generated.tf` writes their
# resource and import blocks (Terraform 1.14 and later).
list "okta_msp_service_account" "fleet" {
  provider = okta
  limit    = 1000

  config {
    # Leave out to search every org of org_tokens.
    org_urls = ["https://acme.okta.com", "https://globex.okta.com"]
    # Leave out for every kind.
    kinds = ["deep_link", "ad_agent", "radius", "custom"]
  }
}

terraform {
  required_providers {
    okta = {
      source = "zerotek/okta-msp"
    }
  }
}

# Credentials come from the environment: OKTA_MSP_PARTNER_URL, OKTA_MSP_PARTNER_TOKEN and
# OKTA_MSP_ORG_TOKENS (a JSON object of org URL to API token).
provider "okta" {
  service_account_group = "MSP Service Accounts"
  allowed_network_cidrs = ["203.0.113.0/24"]
}

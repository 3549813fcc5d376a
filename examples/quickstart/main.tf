# Quickstart: two customer orgs, each with its MSP integration account, plus an AD agent and a
# RADIUS account, for_each over a map of customers. `make demo` applies it against the local
# Okta emulator; point the provider at your partner org to run it for real.

terraform {
  required_version = ">= 1.3"
  required_providers {
    okta = {
      source = "zerotek/okta-msp"
    }
  }
}

variable "customers" {
  description = "Customer orgs to manage, keyed by a short name."
  type = map(object({
    name      = string
    subdomain = string
  }))
  default = {
    acme   = { name = "Acme Corp", subdomain = "acme" }
    globex = { name = "Globex", subdomain = "globex" }
  }
}

variable "mail_domain" {
  description = "Domain of the MSP's mailboxes for service accounts."
  type        = string
  default     = "msp.example"
}

provider "okta" {
  # partner_url and partner_token come from OKTA_MSP_PARTNER_URL and OKTA_MSP_PARTNER_TOKEN.
}

resource "okta_msp_org" "customer" {
  for_each = var.customers

  name              = each.value.name
  subdomain         = each.value.subdomain
  integration_login = "msp-integration+${each.key}@${var.mail_domain}"
  integration_email = "msp-integration+${each.key}@${var.mail_domain}"
}

resource "okta_msp_service_account" "ad_agent" {
  for_each = var.customers

  org_url       = okta_msp_org.customer[each.key].url
  org_api_token = okta_msp_org.customer[each.key].api_token
  kind          = "ad_agent"
  login         = "okta-ad-agent+${each.key}@${var.mail_domain}"
  email         = "okta-ad-agent+${each.key}@${var.mail_domain}"
}

resource "okta_msp_service_account" "radius" {
  for_each = var.customers

  org_url       = okta_msp_org.customer[each.key].url
  org_api_token = okta_msp_org.customer[each.key].api_token
  kind          = "radius"
  login         = "okta-radius+${each.key}@${var.mail_domain}"
  email         = "okta-radius+${each.key}@${var.mail_domain}"
}

output "orgs" {
  description = "Each customer org's URL and integration account."
  value = {
    for key, org in okta_msp_org.customer : key => {
      url                    = org.url
      integration_account_id = org.integration_account_id
    }
  }
}

# What happened to each AD agent account, from the org's System Log (the last 7 days). Empty
# after the first apply: the log is read during the apply, before Okta lists its events (the
# System Log lags); the next apply or `terraform refresh` fills it in.
data "okta_msp_audit_events" "ad_agent" {
  for_each = var.customers

  org_url       = okta_msp_org.customer[each.key].url
  org_api_token = okta_msp_org.customer[each.key].api_token
  account_id    = okta_msp_service_account.ad_agent[each.key].id
}

output "ad_agent_audit_trail" {
  description = "System Log events of each AD agent account, oldest first."
  value = {
    for key, audit in data.okta_msp_audit_events.ad_agent :
    key => [
      for event in audit.events :
      "${event.event_type}: ${event.display_message}${length(event.roles) > 0 ? " (${join(", ", event.roles)})" : ""}"
    ]
  }
}

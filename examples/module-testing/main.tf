# A small module an MSP might write: the agent accounts of one customer org. Its tests
# (tests/*.tftest.hcl) run against okta-emulator with `finalize = false`, so `terraform test`
# can tear down what it created.

terraform {
  required_version = ">= 1.6"
  required_providers {
    okta = {
      source = "zerotek/okta-msp"
    }
  }
}

variable "org_url" {
  description = "URL of the customer org."
  type        = string
}

variable "mail_domain" {
  description = "Domain of the MSP's service account mailboxes."
  type        = string
}

variable "with_radius" {
  description = "Whether the org is integrated with RADIUS."
  type        = bool
  default     = true
}

variable "finalize" {
  description = "Finalize the accounts (true in production; false in tests, so they can be destroyed)."
  type        = bool
  default     = true
}

resource "okta_msp_service_account" "ad_agent" {
  org_url  = var.org_url
  kind     = "ad_agent"
  login    = "oktaadagent@${var.mail_domain}"
  email    = "oktaadagent@${var.mail_domain}"
  finalize = var.finalize
}

resource "okta_msp_service_account" "radius" {
  count = var.with_radius ? 1 : 0

  org_url  = var.org_url
  kind     = "radius"
  login    = "oktaradius@${var.mail_domain}"
  email    = "oktaradius@${var.mail_domain}"
  finalize = var.finalize
}

output "account_ids" {
  description = "Okta ids of the accounts, by kind."
  value = merge(
    { ad_agent = okta_msp_service_account.ad_agent.id },
    var.with_radius ? { radius = okta_msp_service_account.radius[0].id } : {},
  )
}

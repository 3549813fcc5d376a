# The roles the provider requires of a RADIUS account: ["APP_ADMIN", "READ_ONLY_ADMIN"].
output "radius_roles" {
  value = provider::okta::kind_roles("radius")
}

# A module that assigns roles with another tool can check it against the kind table.
variable "ad_agent_roles" {
  type    = list(string)
  default = ["SUPER_ADMIN"]
}

check "ad_agent_roles_match_the_kind" {
  assert {
    condition     = toset(var.ad_agent_roles) == toset(provider::okta::kind_roles("ad_agent"))
    error_message = "The AD agent's roles differ from what okta-msp requires of an ad_agent."
  }
}

# Everything the RADIUS account did, and everything done to it, in March 2025.
data "okta_msp_audit_events" "radius_march" {
  org_url    = "https://globex.okta.com"
  account_id = okta_msp_service_account.radius.id
  since      = "2025-03-01T00:00:00Z"
  until      = "2025-04-01T00:00:00Z"
}

# Its admin role changes in the last 7 days (the default window).
data "okta_msp_audit_events" "radius_privileges" {
  org_url     = "https://globex.okta.com"
  account_id  = okta_msp_service_account.radius.id
  event_types = ["user.account.privilege.grant", "user.account.privilege.revoke"]
}

output "radius_privilege_changes" {
  value = [
    for event in data.okta_msp_audit_events.radius_privileges.events :
    "${event.published} ${event.event_type} by ${event.actor_login}: ${event.outcome}"
  ]
}

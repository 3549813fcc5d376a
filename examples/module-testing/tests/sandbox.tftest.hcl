# Runs against okta-emulator. The harness (or your CI) starts it with a customer org and exports
# OKTA_MSP_ORG_TOKENS and TF_VAR_org_url; see examples/module-testing/README.md.

variables {
  mail_domain = "msp.example"
  finalize    = false
}

run "creates_both_agent_accounts" {
  command = apply

  assert {
    condition     = okta_msp_service_account.ad_agent.status == "ACTIVE"
    error_message = "the AD agent account must be active"
  }

  assert {
    condition     = okta_msp_service_account.ad_agent.admin_roles == toset(["SUPER_ADMIN"])
    error_message = "the AD agent account holds exactly SUPER_ADMIN"
  }

  assert {
    condition     = okta_msp_service_account.radius[0].admin_roles == toset(["APP_ADMIN", "READ_ONLY_ADMIN"])
    error_message = "the RADIUS account holds least privilege"
  }

  assert {
    condition     = okta_msp_service_account.ad_agent.finalized == false
    error_message = "test accounts stay unfinalized so teardown can delete them"
  }
}

run "radius_is_optional" {
  command = plan

  variables {
    with_radius = false
  }

  assert {
    condition     = length(okta_msp_service_account.radius) == 0
    error_message = "no RADIUS account without RADIUS"
  }
}

# Every service account of an org: kind, roles, compliance, and the licenses they consume.
data "okta_msp_service_accounts" "acme" {
  org_url       = okta_msp_org.acme.url
  org_api_token = okta_msp_org.acme.api_token
}

output "acme_service_account_licenses" {
  value = data.okta_msp_service_accounts.acme.license_count
}

# Accounts that break their kind's rules, with what is wrong.
output "acme_non_compliant_service_accounts" {
  value = {
    for account in data.okta_msp_service_accounts.acme.accounts :
    account.login => account.violations if !account.compliant
  }
}

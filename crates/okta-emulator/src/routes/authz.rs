//! The routes of custom authorization servers (`/api/v1/authorizationServers`), a table of
//! their own beside [`super::ROUTES`]. Okta's rate-limit mapping puts them in "most other API
//! actions"; their scopes are the reference's `okta.authorizationServers.*`. Managing them
//! takes a super or org admin, as policies do.

use super::Route;
use crate::handlers::Handler::OnOrg;
use crate::handlers::authz::{self, catalog, policies};

/// Every path of this table starts so, and no path of the main table does.
pub const PREFIX: &str = "/api/v1/authorizationServers";

pub static ROUTES: &[Route] = &[
    route!(GET "/api/v1/authorizationServers" => OnOrg(authz::list), Read, ApiV1, "okta.authorizationServers.read"),
    route!(POST "/api/v1/authorizationServers" => OnOrg(authz::create), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}" => OnOrg(authz::get), Read, ApiV1, "okta.authorizationServers.read"),
    route!(PUT "/api/v1/authorizationServers/{authServerId}" => OnOrg(authz::replace), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(DELETE "/api/v1/authorizationServers/{authServerId}" => OnOrg(authz::delete), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/lifecycle/activate" => OnOrg(authz::activate), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/lifecycle/deactivate" => OnOrg(authz::deactivate), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/credentials/keys" => OnOrg(authz::list_keys), Read, ApiV1, "okta.authorizationServers.read"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/credentials/keys/{keyId}" => OnOrg(authz::get_key), Read, ApiV1, "okta.authorizationServers.read"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/credentials/lifecycle/keyRotate" => OnOrg(authz::rotate_keys), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/scopes" => OnOrg(catalog::list_scopes), Read, ApiV1, "okta.authorizationServers.read"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/scopes" => OnOrg(catalog::create_scope), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/scopes/{scopeId}" => OnOrg(catalog::get_scope), Read, ApiV1, "okta.authorizationServers.read"),
    route!(PUT "/api/v1/authorizationServers/{authServerId}/scopes/{scopeId}" => OnOrg(catalog::replace_scope), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(DELETE "/api/v1/authorizationServers/{authServerId}/scopes/{scopeId}" => OnOrg(catalog::delete_scope), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/claims" => OnOrg(catalog::list_claims), Read, ApiV1, "okta.authorizationServers.read"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/claims" => OnOrg(catalog::create_claim), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/claims/{claimId}" => OnOrg(catalog::get_claim), Read, ApiV1, "okta.authorizationServers.read"),
    route!(PUT "/api/v1/authorizationServers/{authServerId}/claims/{claimId}" => OnOrg(catalog::replace_claim), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(DELETE "/api/v1/authorizationServers/{authServerId}/claims/{claimId}" => OnOrg(catalog::delete_claim), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/policies" => OnOrg(policies::list), Read, ApiV1, "okta.authorizationServers.read"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/policies" => OnOrg(policies::create), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/policies/{policyId}" => OnOrg(policies::get), Read, ApiV1, "okta.authorizationServers.read"),
    route!(PUT "/api/v1/authorizationServers/{authServerId}/policies/{policyId}" => OnOrg(policies::replace), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(DELETE "/api/v1/authorizationServers/{authServerId}/policies/{policyId}" => OnOrg(policies::delete), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/lifecycle/activate" => OnOrg(policies::activate), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/lifecycle/deactivate" => OnOrg(policies::deactivate), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/rules" => OnOrg(policies::list_rules), Read, ApiV1, "okta.authorizationServers.read"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/rules" => OnOrg(policies::create_rule), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(GET "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/rules/{ruleId}" => OnOrg(policies::get_rule), Read, ApiV1, "okta.authorizationServers.read"),
    route!(PUT "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/rules/{ruleId}" => OnOrg(policies::replace_rule), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(DELETE "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/rules/{ruleId}" => OnOrg(policies::delete_rule), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/rules/{ruleId}/lifecycle/activate" => OnOrg(policies::activate_rule), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
    route!(POST "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/rules/{ruleId}/lifecycle/deactivate" => OnOrg(policies::deactivate_rule), ManageSecurity, ApiV1, "okta.authorizationServers.manage"),
];

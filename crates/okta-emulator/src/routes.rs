//! The one declarative route table: every Okta endpoint the emulator serves, the handler that
//! serves it, the admin privilege it needs and the rate-limit bucket it draws from.

use axum::http::Method;

use crate::error::ApiError;
use crate::handlers::{
    Handler, group_rules, groups, iam, logs, orgs, policies, rate_limits, role_targets, roles,
    tokens, users, zones,
};
use crate::store::{Lifecycle, Need};
use crate::util::percent_decode_segment;

/// A rate-limit bucket: Okta counts requests per org, per bucket, per minute. The buckets and
/// which endpoint falls in which follow Okta's own mapping (the longest configured prefix wins,
/// and the method can matter); the numbers are Okta's published defaults for a Workforce
/// Identity org. `docs/emulator.md` cites the source of every number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `POST /api/v1/orgs`, the Org Creator.
    Orgs,
    /// Okta's `/api/v1/users` bucket: `GET` and `POST /api/v1/users`, and every sub-resource of
    /// a user (lifecycle, roles, groups, factors).
    Users,
    /// `GET /api/v1/users/{idOrLogin}`.
    UserGet,
    /// `POST`, `PUT` and `DELETE /api/v1/users/{id}`.
    UserWrites,
    /// Okta's `/api/v1/groups` bucket: `GET` and `POST /api/v1/groups`, and a group's
    /// sub-resources (members).
    Groups,
    /// `GET`, `PUT` and `DELETE /api/v1/groups/{id}`.
    GroupById,
    /// `/api/v1/logs`.
    Logs,
    /// "Most other API actions", Okta's `/api/v1` bucket: the org, policies and their rules,
    /// network zones and API tokens all count here together.
    ApiV1,
    /// `/oauth2/v1/token` of the org authorization server.
    OAuthToken,
    /// Everything outside `/api/v1` and `/oauth2` (the public org metadata), and requests that
    /// match no route, which still get rate-limit headers.
    Other,
}

impl Family {
    /// Requests per minute per org: Okta's published defaults for a Workforce Identity org.
    pub fn default_limit(self) -> u64 {
        match self {
            // developer.okta.com rl-additional-limits, "Org creation rate limits".
            Family::Orgs => 10,
            // developer.okta.com rl-global-mgmt, Workforce identity column.
            Family::Users => 600,
            Family::UserGet => 2_000,
            Family::UserWrites => 600,
            Family::Groups => 500,
            Family::GroupById => 1_000,
            Family::Logs => 120,
            Family::ApiV1 => 1_200,
            // developer.okta.com rl-global-enduser, `/oauth2/v1/token`, Workforce identity.
            Family::OAuthToken => 2_000,
            // developer.okta.com rl-global-other-endpoints, Workforce Identity.
            Family::Other => 10_000,
        }
    }

    /// Okta's name of the bucket (the prefix its rate-limit dashboard lists).
    pub fn bucket(self) -> &'static str {
        match self {
            Family::Orgs => "/api/v1/orgs",
            Family::Users => "/api/v1/users",
            Family::UserGet => "GET /api/v1/users/{idOrLogin}",
            Family::UserWrites => "POST, PUT, DELETE /api/v1/users/{id}",
            Family::Groups => "/api/v1/groups",
            Family::GroupById => "/api/v1/groups/{id}",
            Family::Logs => "/api/v1/logs",
            Family::ApiV1 => "/api/v1",
            Family::OAuthToken => "/oauth2/v1/token",
            Family::Other => "(other endpoints)",
        }
    }

    pub const ALL: [Family; 10] = [
        Family::Orgs,
        Family::Users,
        Family::UserGet,
        Family::UserWrites,
        Family::Groups,
        Family::GroupById,
        Family::Logs,
        Family::ApiV1,
        Family::OAuthToken,
        Family::Other,
    ];
}

pub struct Route {
    pub method: Method,
    /// The path below the org, with `{name}` for one segment; stats report by this template.
    pub template: &'static str,
    pub handler: Handler,
    pub need: Need,
    pub family: Family,
    /// The OAuth 2.0 scope an access token needs for the endpoint, from the `oauth2` security
    /// requirement of the operation in Okta's management API reference; [`SSWS_ONLY`] when the
    /// operation lists none (only an API token may call it, or no credential at all).
    pub scope: &'static str,
}

/// The scope of an endpoint that no access token may call.
pub const SSWS_ONLY: &str = "";

macro_rules! route {
    ($method:ident $template:literal => $handler:expr, $need:ident, $family:ident, $scope:literal) => {
        $crate::routes::Route {
            method: ::axum::http::Method::$method,
            template: $template,
            handler: $handler,
            need: $crate::store::Need::$need,
            family: $crate::routes::Family::$family,
            scope: $scope,
        }
    };
}

use Handler::{OnOrg, OnState, Public, Token};
use Lifecycle as L;

// Families added since keep their routes in a table of their own (`routes/`, declared after
// the macro they use); `all_routes` is every table together.
mod apps;
mod authz;
mod credentials;
mod org_settings;

/// The tables a path outside the authorization servers' prefix may match, the main one first
/// so the provider's hot paths are matched before any family added since.
static GENERAL_TABLES: &[&[Route]] = &[
    ROUTES,
    apps::APP_ROUTES,
    org_settings::ROUTES,
    credentials::ROUTES,
];

/// Every route the emulator serves: [`ROUTES`] and the families' own tables.
pub fn all_routes() -> impl Iterator<Item = &'static Route> {
    GENERAL_TABLES
        .iter()
        .chain(AUTHZ_TABLES)
        .flat_map(|table| table.iter())
}

/// The authorization servers' table, which alone holds the paths under its prefix.
static AUTHZ_TABLES: &[&[Route]] = &[authz::ROUTES];

/// The tables that can hold a path's route. The authorization servers' table owns its prefix,
/// so a request elsewhere never scans it.
fn tables_for(path: &str) -> impl Iterator<Item = &'static Route> {
    let tables = if path.starts_with(authz::PREFIX) {
        AUTHZ_TABLES
    } else {
        GENERAL_TABLES
    };
    tables.iter().flat_map(|table| table.iter())
}

pub static ROUTES: &[Route] = &[
    route!(POST "/oauth2/v1/token" => Token, Anyone, OAuthToken, ""),
    route!(GET "/.well-known/okta-organization" => Public(orgs::metadata), Anyone, Other, ""),
    route!(GET "/api/v1/org" => OnOrg(orgs::get), Read, ApiV1, "okta.orgs.read"),
    route!(POST "/api/v1/orgs" => OnState(orgs::create_child), CreateOrgs, Orgs, "okta.orgs.manage"),
    route!(GET "/api/v1/users" => OnOrg(users::list), Read, Users, "okta.users.read"),
    route!(POST "/api/v1/users" => OnOrg(users::create), ManageUsers, Users, "okta.users.manage"),
    route!(GET "/api/v1/users/{userId}" => OnOrg(users::get), Read, UserGet, "okta.users.read"),
    route!(POST "/api/v1/users/{userId}" => OnOrg(users::update), ManageUsers, UserWrites, "okta.users.manage"),
    route!(PUT "/api/v1/users/{userId}" => OnOrg(users::replace), ManageUsers, UserWrites, "okta.users.manage"),
    route!(DELETE "/api/v1/users/{userId}" => OnOrg(users::delete), ManageUsers, UserWrites, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/activate" => OnOrg(|org, request| users::lifecycle(org, request, L::Activate)), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/reactivate" => OnOrg(|org, request| users::lifecycle(org, request, L::Reactivate)), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/deactivate" => OnOrg(|org, request| users::lifecycle(org, request, L::Deactivate)), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/suspend" => OnOrg(|org, request| users::lifecycle(org, request, L::Suspend)), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/unsuspend" => OnOrg(|org, request| users::lifecycle(org, request, L::Unsuspend)), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/unlock" => OnOrg(|org, request| users::lifecycle(org, request, L::Unlock)), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/expire_password" => OnOrg(|org, request| users::lifecycle(org, request, L::ExpirePassword)), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/reset_password" => OnOrg(|org, request| users::lifecycle(org, request, L::ResetPassword)), ManageUsers, Users, "okta.users.manage"),
    route!(GET "/api/v1/users/{userId}/groups" => OnOrg(users::list_groups), Read, Users, "okta.users.read"),
    route!(GET "/api/v1/users/{userId}/factors" => OnOrg(users::list_factors), Read, Users, "okta.users.read"),
    route!(DELETE "/api/v1/users/{userId}/factors/{factorId}" => OnOrg(users::delete_factor), ManageUsers, Users, "okta.users.manage"),
    route!(GET "/api/v1/users/{userId}/roles" => OnOrg(roles::list), Read, Users, "okta.roles.read"),
    route!(POST "/api/v1/users/{userId}/roles" => OnOrg(roles::assign), ManageAdmins, Users, "okta.roles.manage"),
    route!(GET "/api/v1/users/{userId}/roles/{roleAssignmentId}" => OnOrg(roles::get), Read, Users, "okta.roles.read"),
    route!(DELETE "/api/v1/users/{userId}/roles/{roleAssignmentId}" => OnOrg(roles::unassign), ManageAdmins, Users, "okta.roles.manage"),
    route!(GET "/api/v1/users/{userId}/roles/{roleAssignmentId}/targets/groups" => OnOrg(role_targets::list_user_targets), Read, Users, "okta.roles.read"),
    route!(PUT "/api/v1/users/{userId}/roles/{roleAssignmentId}/targets/groups/{groupId}" => OnOrg(role_targets::assign_user_target), ManageAdmins, Users, "okta.roles.manage"),
    route!(DELETE "/api/v1/users/{userId}/roles/{roleAssignmentId}/targets/groups/{groupId}" => OnOrg(role_targets::unassign_user_target), ManageAdmins, Users, "okta.roles.manage"),
    route!(GET "/api/v1/groups/rules" => OnOrg(group_rules::list), Read, Groups, "okta.groups.read"),
    route!(POST "/api/v1/groups/rules" => OnOrg(group_rules::create), ManageGroups, Groups, "okta.groups.manage"),
    route!(GET "/api/v1/groups/rules/{groupRuleId}" => OnOrg(group_rules::get), Read, Groups, "okta.groups.read"),
    route!(PUT "/api/v1/groups/rules/{groupRuleId}" => OnOrg(group_rules::replace), ManageGroups, Groups, "okta.groups.manage"),
    route!(DELETE "/api/v1/groups/rules/{groupRuleId}" => OnOrg(group_rules::delete), ManageGroups, Groups, "okta.groups.manage"),
    route!(POST "/api/v1/groups/rules/{groupRuleId}/lifecycle/activate" => OnOrg(group_rules::activate), ManageGroups, Groups, "okta.groups.manage"),
    route!(POST "/api/v1/groups/rules/{groupRuleId}/lifecycle/deactivate" => OnOrg(group_rules::deactivate), ManageGroups, Groups, "okta.groups.manage"),
    route!(GET "/api/v1/groups" => OnOrg(groups::list), Read, Groups, "okta.groups.read"),
    route!(POST "/api/v1/groups" => OnOrg(groups::create), ManageGroups, Groups, "okta.groups.manage"),
    route!(GET "/api/v1/groups/{groupId}" => OnOrg(groups::get), Read, GroupById, "okta.groups.read"),
    route!(PUT "/api/v1/groups/{groupId}" => OnOrg(groups::replace), ManageGroups, GroupById, "okta.groups.manage"),
    route!(DELETE "/api/v1/groups/{groupId}" => OnOrg(groups::delete), ManageGroups, GroupById, "okta.groups.manage"),
    route!(GET "/api/v1/groups/{groupId}/users" => OnOrg(groups::list_members), Read, Groups, "okta.groups.read"),
    route!(PUT "/api/v1/groups/{groupId}/users/{userId}" => OnOrg(groups::add_member), ManageGroups, Groups, "okta.groups.manage"),
    route!(DELETE "/api/v1/groups/{groupId}/users/{userId}" => OnOrg(groups::remove_member), ManageGroups, Groups, "okta.groups.manage"),
    route!(GET "/api/v1/groups/{groupId}/roles" => OnOrg(roles::list_group), Read, Groups, "okta.roles.read"),
    route!(POST "/api/v1/groups/{groupId}/roles" => OnOrg(roles::assign_group), ManageAdmins, Groups, "okta.roles.manage"),
    route!(GET "/api/v1/groups/{groupId}/roles/{roleAssignmentId}" => OnOrg(roles::get_group), Read, Groups, "okta.roles.read"),
    route!(DELETE "/api/v1/groups/{groupId}/roles/{roleAssignmentId}" => OnOrg(roles::unassign_group), ManageAdmins, Groups, "okta.roles.manage"),
    route!(GET "/api/v1/groups/{groupId}/roles/{roleAssignmentId}/targets/groups" => OnOrg(role_targets::list_group_targets), Read, Groups, "okta.roles.read"),
    route!(PUT "/api/v1/groups/{groupId}/roles/{roleAssignmentId}/targets/groups/{targetGroupId}" => OnOrg(role_targets::assign_group_target), ManageAdmins, Groups, "okta.roles.manage"),
    route!(DELETE "/api/v1/groups/{groupId}/roles/{roleAssignmentId}/targets/groups/{targetGroupId}" => OnOrg(role_targets::unassign_group_target), ManageAdmins, Groups, "okta.roles.manage"),
    route!(GET "/api/v1/iam/roles" => OnOrg(iam::list_roles), Read, ApiV1, "okta.roles.read"),
    route!(POST "/api/v1/iam/roles" => OnOrg(iam::create_role), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/roles/{roleIdOrLabel}" => OnOrg(iam::get_role), Read, ApiV1, "okta.roles.read"),
    route!(PUT "/api/v1/iam/roles/{roleIdOrLabel}" => OnOrg(iam::replace_role), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(DELETE "/api/v1/iam/roles/{roleIdOrLabel}" => OnOrg(iam::delete_role), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/roles/{roleIdOrLabel}/permissions" => OnOrg(iam::list_permissions), Read, ApiV1, "okta.roles.read"),
    route!(GET "/api/v1/iam/roles/{roleIdOrLabel}/permissions/{permissionType}" => OnOrg(iam::get_permission), Read, ApiV1, "okta.roles.read"),
    route!(POST "/api/v1/iam/roles/{roleIdOrLabel}/permissions/{permissionType}" => OnOrg(iam::add_permission), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(PUT "/api/v1/iam/roles/{roleIdOrLabel}/permissions/{permissionType}" => OnOrg(iam::replace_permission), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(DELETE "/api/v1/iam/roles/{roleIdOrLabel}/permissions/{permissionType}" => OnOrg(iam::delete_permission), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/resource-sets" => OnOrg(iam::list_sets), Read, ApiV1, "okta.roles.read"),
    route!(POST "/api/v1/iam/resource-sets" => OnOrg(iam::create_set), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}" => OnOrg(iam::get_set), Read, ApiV1, "okta.roles.read"),
    route!(PUT "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}" => OnOrg(iam::replace_set), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(DELETE "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}" => OnOrg(iam::delete_set), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/resources" => OnOrg(iam::list_resources), Read, ApiV1, "okta.roles.read"),
    route!(PATCH "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/resources" => OnOrg(iam::add_resources), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/resources/{resourceId}" => OnOrg(iam::get_resource), Read, ApiV1, "okta.roles.read"),
    route!(DELETE "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/resources/{resourceId}" => OnOrg(iam::delete_resource), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/bindings" => OnOrg(iam::list_bindings), Read, ApiV1, "okta.roles.read"),
    route!(POST "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/bindings" => OnOrg(iam::create_binding), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/bindings/{roleIdOrLabel}" => OnOrg(iam::get_binding), Read, ApiV1, "okta.roles.read"),
    route!(DELETE "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/bindings/{roleIdOrLabel}" => OnOrg(iam::delete_binding), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/bindings/{roleIdOrLabel}/members" => OnOrg(iam::list_members), Read, ApiV1, "okta.roles.read"),
    route!(PATCH "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/bindings/{roleIdOrLabel}/members" => OnOrg(iam::add_members), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/bindings/{roleIdOrLabel}/members/{memberId}" => OnOrg(iam::get_member), Read, ApiV1, "okta.roles.read"),
    route!(DELETE "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/bindings/{roleIdOrLabel}/members/{memberId}" => OnOrg(iam::delete_member), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/api/v1/zones" => OnOrg(zones::list), Read, ApiV1, "okta.networkZones.read"),
    route!(POST "/api/v1/zones" => OnOrg(zones::create), ManageSecurity, ApiV1, "okta.networkZones.manage"),
    route!(GET "/api/v1/zones/{zoneId}" => OnOrg(zones::get), Read, ApiV1, "okta.networkZones.read"),
    route!(PUT "/api/v1/zones/{zoneId}" => OnOrg(zones::replace), ManageSecurity, ApiV1, "okta.networkZones.manage"),
    route!(DELETE "/api/v1/zones/{zoneId}" => OnOrg(zones::delete), ManageSecurity, ApiV1, "okta.networkZones.manage"),
    route!(POST "/api/v1/zones/{zoneId}/lifecycle/activate" => OnOrg(zones::activate), ManageSecurity, ApiV1, "okta.networkZones.manage"),
    route!(POST "/api/v1/zones/{zoneId}/lifecycle/deactivate" => OnOrg(zones::deactivate), ManageSecurity, ApiV1, "okta.networkZones.manage"),
    route!(GET "/api/v1/policies" => OnOrg(policies::list), Read, ApiV1, "okta.policies.read"),
    route!(POST "/api/v1/policies" => OnOrg(policies::create), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(POST "/api/v1/policies/simulate" => OnOrg(policies::simulate), Read, ApiV1, "okta.policies.read"),
    route!(GET "/api/v1/policies/{policyId}" => OnOrg(policies::get), Read, ApiV1, "okta.policies.read"),
    route!(PUT "/api/v1/policies/{policyId}" => OnOrg(policies::replace), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(DELETE "/api/v1/policies/{policyId}" => OnOrg(policies::delete), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(POST "/api/v1/policies/{policyId}/lifecycle/activate" => OnOrg(policies::activate), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(POST "/api/v1/policies/{policyId}/lifecycle/deactivate" => OnOrg(policies::deactivate), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(POST "/api/v1/policies/{policyId}/clone" => OnOrg(policies::clone), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(GET "/api/v1/policies/{policyId}/mappings" => OnOrg(policies::list_mappings), Read, ApiV1, "okta.policies.read"),
    route!(POST "/api/v1/policies/{policyId}/mappings" => OnOrg(policies::create_mapping), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(GET "/api/v1/policies/{policyId}/rules" => OnOrg(policies::list_rules), Read, ApiV1, "okta.policies.read"),
    route!(POST "/api/v1/policies/{policyId}/rules" => OnOrg(policies::create_rule), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(GET "/api/v1/policies/{policyId}/rules/{ruleId}" => OnOrg(policies::get_rule), Read, ApiV1, "okta.policies.read"),
    route!(PUT "/api/v1/policies/{policyId}/rules/{ruleId}" => OnOrg(policies::replace_rule), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(DELETE "/api/v1/policies/{policyId}/rules/{ruleId}" => OnOrg(policies::delete_rule), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(POST "/api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/activate" => OnOrg(policies::activate_rule), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(POST "/api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/deactivate" => OnOrg(policies::deactivate_rule), ManageSecurity, ApiV1, "okta.policies.manage"),
    route!(GET "/api/v1/api-tokens" => OnOrg(tokens::list), ManageSecurity, ApiV1, "okta.apiTokens.read"),
    route!(DELETE "/api/v1/api-tokens/current" => OnOrg(tokens::revoke_current), Read, ApiV1, ""),
    route!(GET "/api/v1/api-tokens/{apiTokenId}" => OnOrg(tokens::get), ManageSecurity, ApiV1, "okta.apiTokens.read"),
    route!(PUT "/api/v1/api-tokens/{apiTokenId}" => OnOrg(tokens::upsert), ManageSecurity, ApiV1, "okta.apiTokens.manage"),
    route!(DELETE "/api/v1/api-tokens/{apiTokenId}" => OnOrg(tokens::revoke), ManageSecurity, ApiV1, "okta.apiTokens.manage"),
    route!(GET "/api/v1/principal-rate-limits" => OnOrg(rate_limits::list), Read, ApiV1, "okta.principalRateLimits.read"),
    route!(POST "/api/v1/principal-rate-limits" => OnOrg(rate_limits::create), ManageSecurity, ApiV1, "okta.principalRateLimits.manage"),
    route!(GET "/api/v1/principal-rate-limits/{principalRateLimitId}" => OnOrg(rate_limits::get), Read, ApiV1, "okta.principalRateLimits.read"),
    route!(PUT "/api/v1/principal-rate-limits/{principalRateLimitId}" => OnOrg(rate_limits::replace), ManageSecurity, ApiV1, "okta.principalRateLimits.manage"),
    route!(GET "/api/v1/logs" => OnOrg(logs::list), Read, Logs, "okta.logs.read"),
];

/// Operations Okta's management API reference has on paths the emulator serves with other
/// methods: they answer 501 `E0000060` like any Okta path the emulator lacks, not 405 (which
/// would claim Okta does not have them). Checked against the reference's `paths`.
static OKTA_ONLY: &[(Method, &str)] = &[
    (Method::POST, "/api/v1/users/{userId}/factors"),
    (Method::GET, "/api/v1/users/{userId}/factors/{factorId}"),
    (Method::PATCH, "/api/v1/apps/{appId}/groups/{groupId}"),
    (
        Method::POST,
        "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/resources",
    ),
    (
        Method::PUT,
        "/api/v1/iam/resource-sets/{resourceSetIdOrLabel}/resources/{resourceId}",
    ),
];

/// What the route table says about a method and path.
pub enum Matched {
    Route(&'static Route, Vec<String>),
    /// The path exists with other methods.
    WrongMethod(&'static str),
    /// An Okta API path the emulator does not serve.
    Unimplemented,
    /// Not an API path at all.
    NotFound,
}

/// The route's parameters percent-decoded, once each. Matching ran on the raw segments, so an
/// encoded `/` inside a login stays inside its parameter.
pub fn decode_params(route: &Route, raw: &[String]) -> Result<Vec<String>, ApiError> {
    let names = route
        .template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'));
    raw.iter()
        .zip(names)
        .map(|(value, name)| {
            percent_decode_segment(value).ok_or_else(|| ApiError::InvalidPathParameter {
                name: name.to_string(),
            })
        })
        .collect()
}

pub fn match_route(method: &Method, path: &str) -> Matched {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut path_template = None;
    for route in tables_for(path) {
        let template: Vec<&str> = route.template.split('/').collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut params = Vec::new();
        let matches = template.iter().zip(&segments).all(|(expected, actual)| {
            if expected.starts_with('{') {
                params.push(actual.to_string());
                !actual.is_empty()
            } else {
                expected == actual
            }
        });
        if !matches {
            continue;
        }
        if route.method == *method {
            return Matched::Route(route, params);
        }
        path_template.get_or_insert(route.template);
    }
    match path_template {
        Some(template)
            if OKTA_ONLY.iter().any(|(okta_method, okta_template)| {
                okta_method == method && *okta_template == template
            }) =>
        {
            Matched::Unimplemented
        }
        Some(template) => Matched::WrongMethod(template),
        None if path.starts_with("/api/") || path.starts_with("/oauth2/") => Matched::Unimplemented,
        None => Matched::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_over_parameters_declared_later() {
        match match_route(&Method::DELETE, "/api/v1/api-tokens/current") {
            Matched::Route(route, _) => assert_eq!(route.template, "/api/v1/api-tokens/current"),
            _ => panic!("no route"),
        }
        match match_route(&Method::POST, "/api/v1/users/00u1/lifecycle/suspend") {
            Matched::Route(route, params) => {
                assert_eq!(route.template, "/api/v1/users/{userId}/lifecycle/suspend");
                assert_eq!(params, vec!["00u1".to_string()]);
            }
            _ => panic!("no route"),
        }
    }

    /// Families live in tables of their own: a route declared in two of them would leave one
    /// handler unreachable, silently.
    #[test]
    fn every_method_and_path_is_routed_once() {
        let mut seen = std::collections::HashSet::new();
        for route in all_routes() {
            assert!(
                seen.insert((route.method.clone(), route.template)),
                "{} {} is routed twice",
                route.method,
                route.template
            );
        }
    }

    #[test]
    fn a_family_table_owns_its_prefix() {
        assert!(
            authz::ROUTES
                .iter()
                .all(|route| route.template.starts_with(authz::PREFIX))
        );
        assert!(
            !ROUTES
                .iter()
                .any(|route| route.template.starts_with(authz::PREFIX))
        );
        match match_route(&Method::POST, "/api/v1/authorizationServers/aus1/scopes") {
            Matched::Route(route, params) => {
                assert_eq!(
                    route.template,
                    "/api/v1/authorizationServers/{authServerId}/scopes"
                );
                assert_eq!(params, vec!["aus1".to_string()]);
            }
            _ => panic!("no route"),
        }
        assert!(matches!(
            match_route(&Method::PATCH, "/api/v1/authorizationServers/aus1"),
            Matched::WrongMethod(_)
        ));
        assert!(matches!(
            match_route(&Method::GET, "/api/v1/authorizationServers/aus1/clients"),
            Matched::Unimplemented
        ));
    }

    #[test]
    fn parameters_are_decoded_after_matching_on_raw_segments() {
        let Matched::Route(route, raw) =
            match_route(&Method::POST, "/api/v1/users/a%2Fb%2Bc/lifecycle/suspend")
        else {
            panic!("an encoded slash must not split the path");
        };
        assert_eq!(decode_params(route, &raw), Ok(vec!["a/b+c".to_string()]));
        let Matched::Route(route, raw) = match_route(&Method::GET, "/api/v1/users/%E0%A4") else {
            panic!("no route");
        };
        assert_eq!(
            decode_params(route, &raw),
            Err(ApiError::InvalidPathParameter {
                name: "userId".to_string()
            })
        );
    }

    #[test]
    fn only_routes_that_need_no_token_are_served_without_one() {
        for route in all_routes() {
            assert_eq!(
                matches!(route.handler, Public(_) | Token),
                route.need == Need::Anyone,
                "{} {}",
                route.method,
                route.template
            );
        }
    }

    #[test]
    fn every_endpoint_that_takes_a_token_names_the_okta_scope_it_needs() {
        for route in all_routes() {
            let ssws_only = matches!(route.handler, Public(_) | Token)
                || route.template == "/api/v1/api-tokens/current";
            assert_eq!(route.scope == SSWS_ONLY, ssws_only, "{}", route.template);
            // A simulation is a POST that only reads: the reference asks `okta.policies.read`.
            let reads =
                route.method == Method::GET || route.template == "/api/v1/policies/simulate";
            if !ssws_only {
                let access = if reads { ".read" } else { ".manage" };
                assert!(
                    route.scope.starts_with("okta.") && route.scope.ends_with(access),
                    "{} {}",
                    route.method,
                    route.template
                );
            }
        }
    }

    fn family_of(method: Method, path: &str) -> Family {
        match match_route(&method, path) {
            Matched::Route(route, _) => route.family,
            _ => panic!("no route for {method} {path}"),
        }
    }

    #[test]
    fn endpoints_count_against_the_bucket_okta_puts_them_in() {
        // Okta's mapping: a user's sub-resources fall in the `/api/v1/users` bucket, reading a
        // user and writing one are separate buckets, and policies, zones, the org and API
        // tokens share "most other API actions".
        assert_eq!(family_of(Method::POST, "/api/v1/users"), Family::Users);
        assert_eq!(
            family_of(Method::POST, "/api/v1/users/00u1/lifecycle/activate"),
            Family::Users
        );
        assert_eq!(
            family_of(Method::POST, "/api/v1/users/00u1/roles"),
            Family::Users
        );
        assert_eq!(
            family_of(Method::GET, "/api/v1/users/00u1"),
            Family::UserGet
        );
        assert_eq!(
            family_of(Method::DELETE, "/api/v1/users/00u1"),
            Family::UserWrites
        );
        assert_eq!(
            family_of(Method::PUT, "/api/v1/groups/00g1/users/00u1"),
            Family::Groups
        );
        assert_eq!(
            family_of(Method::GET, "/api/v1/groups/00g1"),
            Family::GroupById
        );
        for (method, path) in [
            (Method::GET, "/api/v1/org"),
            (Method::POST, "/api/v1/policies"),
            (Method::PUT, "/api/v1/policies/p1/rules/r1"),
            (Method::GET, "/api/v1/zones"),
            (Method::GET, "/api/v1/api-tokens"),
        ] {
            assert_eq!(
                family_of(method.clone(), path),
                Family::ApiV1,
                "{method} {path}"
            );
        }
        assert_eq!(
            family_of(Method::POST, "/oauth2/v1/token"),
            Family::OAuthToken
        );
        // Workforce Identity's published numbers.
        assert_eq!(Family::Users.default_limit(), 600);
        assert_eq!(Family::UserGet.default_limit(), 2_000);
        assert_eq!(Family::ApiV1.default_limit(), 1_200);
        assert_eq!(Family::Orgs.default_limit(), 10);
        // Every bucket the control API lists serves at least one route.
        for family in Family::ALL {
            assert!(
                all_routes().any(|route| route.family == family),
                "{family:?}"
            );
        }
    }

    #[test]
    fn unknown_methods_and_paths_are_distinguished() {
        assert!(matches!(
            match_route(&Method::PATCH, "/api/v1/users/x"),
            Matched::WrongMethod(_)
        ));
        assert!(matches!(
            match_route(&Method::GET, "/api/v1/apps/0oa1/features"),
            Matched::Unimplemented
        ));
        // Okta has these methods on paths the emulator serves otherwise: 501, not 405.
        for (method, path) in [
            (Method::POST, "/api/v1/users/00u1/factors"),
            (Method::POST, "/api/v1/iam/resource-sets/iam1/resources"),
            (Method::PUT, "/api/v1/iam/resource-sets/iam1/resources/ire1"),
            (Method::GET, "/api/v1/users/00u1/factors/ufs1"),
        ] {
            assert!(
                matches!(match_route(&method, path), Matched::Unimplemented),
                "{method} {path}"
            );
        }
        assert!(matches!(
            match_route(
                &Method::PATCH,
                "/api/v1/iam/resource-sets/iam1/resources/ire1"
            ),
            Matched::WrongMethod(_)
        ));
        // Group rules are Okta's, not a group named `rules`.
        match match_route(&Method::GET, "/api/v1/groups/rules") {
            Matched::Route(route, _) => assert_eq!(route.template, "/api/v1/groups/rules"),
            _ => panic!("no route"),
        }
        match match_route(&Method::GET, "/api/v1/groups/rules/users") {
            Matched::Route(route, _) => {
                assert_eq!(route.template, "/api/v1/groups/rules/{groupRuleId}")
            }
            _ => panic!("no route"),
        }
        // Every such operation is on a path the table serves.
        for (_, template) in OKTA_ONLY {
            assert!(
                all_routes().any(|route| route.template == *template),
                "{template}"
            );
        }
        assert!(matches!(
            match_route(&Method::GET, "/index.html"),
            Matched::NotFound
        ));
    }
}

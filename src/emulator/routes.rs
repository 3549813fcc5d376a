//! The one declarative route table: every Okta endpoint the emulator serves, with the admin
//! privilege it needs and the rate-limit bucket it draws from.

use axum::http::Method;

use crate::emulator::error::ApiError;
use crate::emulator::store::{Lifecycle, Need};
use crate::emulator::util::percent_decode_segment;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    OrgMetadata,
    GetOrg,
    CreateChildOrg,
    ListUsers,
    CreateUser,
    GetUser,
    UpdateUser,
    ReplaceUser,
    DeleteUser,
    UserLifecycle(Lifecycle),
    ListUserGroups,
    ListFactors,
    DeleteFactor,
    ListRoles,
    AssignRole,
    GetRole,
    UnassignRole,
    ListGroups,
    CreateGroup,
    GetGroup,
    ReplaceGroup,
    DeleteGroup,
    ListGroupMembers,
    AddGroupMember,
    RemoveGroupMember,
    ListZones,
    CreateZone,
    GetZone,
    ReplaceZone,
    DeleteZone,
    ActivateZone,
    DeactivateZone,
    ListPolicies,
    CreatePolicy,
    GetPolicy,
    ReplacePolicy,
    DeletePolicy,
    ActivatePolicy,
    DeactivatePolicy,
    ListRules,
    CreateRule,
    GetRule,
    ReplaceRule,
    DeleteRule,
    ActivateRule,
    DeactivateRule,
    ListTokens,
    GetToken,
    UpsertToken,
    RevokeToken,
    RevokeCurrentToken,
    ListLogs,
}

/// A rate-limit bucket: Okta counts requests per org, per endpoint family, per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Orgs,
    OrgSettings,
    UsersCollection,
    UserById,
    UserWrites,
    Groups,
    Zones,
    Policies,
    ApiTokens,
    Logs,
    /// Requests that match no route still get rate-limit headers.
    Other,
}

impl Family {
    /// Requests per minute, modelled on Okta's published defaults for a production org.
    pub fn default_limit(self) -> u64 {
        match self {
            Family::Orgs => 50,
            Family::OrgSettings => 600,
            Family::UsersCollection => 600,
            Family::UserById => 2000,
            Family::UserWrites => 600,
            Family::Groups => 500,
            Family::Zones => 600,
            Family::Policies => 600,
            Family::ApiTokens => 600,
            Family::Logs => 120,
            Family::Other => 600,
        }
    }
}

pub struct Route {
    pub method: Method,
    /// The path below the org, with `{name}` for one segment; stats report by this template.
    pub template: &'static str,
    pub endpoint: Endpoint,
    pub need: Need,
    pub family: Family,
}

macro_rules! route {
    ($method:ident $template:literal => $endpoint:expr, $need:ident, $family:ident) => {
        Route {
            method: Method::$method,
            template: $template,
            endpoint: $endpoint,
            need: Need::$need,
            family: Family::$family,
        }
    };
}

use Endpoint::*;
use Lifecycle as L;

pub static ROUTES: &[Route] = &[
    route!(GET "/.well-known/okta-organization" => OrgMetadata, Anyone, Other),
    route!(GET "/api/v1/org" => GetOrg, Read, OrgSettings),
    route!(POST "/api/v1/orgs" => CreateChildOrg, CreateOrgs, Orgs),
    route!(GET "/api/v1/users" => ListUsers, Read, UsersCollection),
    route!(POST "/api/v1/users" => CreateUser, ManageUsers, UsersCollection),
    route!(GET "/api/v1/users/{userId}" => GetUser, Read, UserById),
    route!(POST "/api/v1/users/{userId}" => UpdateUser, ManageUsers, UserWrites),
    route!(PUT "/api/v1/users/{userId}" => ReplaceUser, ManageUsers, UserWrites),
    route!(DELETE "/api/v1/users/{userId}" => DeleteUser, ManageUsers, UserWrites),
    route!(POST "/api/v1/users/{userId}/lifecycle/activate" => UserLifecycle(L::Activate), ManageUsers, UserWrites),
    route!(POST "/api/v1/users/{userId}/lifecycle/reactivate" => UserLifecycle(L::Reactivate), ManageUsers, UserWrites),
    route!(POST "/api/v1/users/{userId}/lifecycle/deactivate" => UserLifecycle(L::Deactivate), ManageUsers, UserWrites),
    route!(POST "/api/v1/users/{userId}/lifecycle/suspend" => UserLifecycle(L::Suspend), ManageUsers, UserWrites),
    route!(POST "/api/v1/users/{userId}/lifecycle/unsuspend" => UserLifecycle(L::Unsuspend), ManageUsers, UserWrites),
    route!(POST "/api/v1/users/{userId}/lifecycle/unlock" => UserLifecycle(L::Unlock), ManageUsers, UserWrites),
    route!(POST "/api/v1/users/{userId}/lifecycle/expire_password" => UserLifecycle(L::ExpirePassword), ManageUsers, UserWrites),
    route!(POST "/api/v1/users/{userId}/lifecycle/reset_password" => UserLifecycle(L::ResetPassword), ManageUsers, UserWrites),
    route!(GET "/api/v1/users/{userId}/groups" => ListUserGroups, Read, UserById),
    route!(GET "/api/v1/users/{userId}/factors" => ListFactors, Read, UserById),
    route!(DELETE "/api/v1/users/{userId}/factors/{factorId}" => DeleteFactor, ManageUsers, UserWrites),
    route!(GET "/api/v1/users/{userId}/roles" => ListRoles, Read, UserById),
    route!(POST "/api/v1/users/{userId}/roles" => AssignRole, ManageAdmins, UserWrites),
    route!(GET "/api/v1/users/{userId}/roles/{roleAssignmentId}" => GetRole, Read, UserById),
    route!(DELETE "/api/v1/users/{userId}/roles/{roleAssignmentId}" => UnassignRole, ManageAdmins, UserWrites),
    route!(GET "/api/v1/groups" => ListGroups, Read, Groups),
    route!(POST "/api/v1/groups" => CreateGroup, ManageGroups, Groups),
    route!(GET "/api/v1/groups/{groupId}" => GetGroup, Read, Groups),
    route!(PUT "/api/v1/groups/{groupId}" => ReplaceGroup, ManageGroups, Groups),
    route!(DELETE "/api/v1/groups/{groupId}" => DeleteGroup, ManageGroups, Groups),
    route!(GET "/api/v1/groups/{groupId}/users" => ListGroupMembers, Read, Groups),
    route!(PUT "/api/v1/groups/{groupId}/users/{userId}" => AddGroupMember, ManageGroups, Groups),
    route!(DELETE "/api/v1/groups/{groupId}/users/{userId}" => RemoveGroupMember, ManageGroups, Groups),
    route!(GET "/api/v1/zones" => ListZones, Read, Zones),
    route!(POST "/api/v1/zones" => CreateZone, ManageSecurity, Zones),
    route!(GET "/api/v1/zones/{zoneId}" => GetZone, Read, Zones),
    route!(PUT "/api/v1/zones/{zoneId}" => ReplaceZone, ManageSecurity, Zones),
    route!(DELETE "/api/v1/zones/{zoneId}" => DeleteZone, ManageSecurity, Zones),
    route!(POST "/api/v1/zones/{zoneId}/lifecycle/activate" => ActivateZone, ManageSecurity, Zones),
    route!(POST "/api/v1/zones/{zoneId}/lifecycle/deactivate" => DeactivateZone, ManageSecurity, Zones),
    route!(GET "/api/v1/policies" => ListPolicies, Read, Policies),
    route!(POST "/api/v1/policies" => CreatePolicy, ManageSecurity, Policies),
    route!(GET "/api/v1/policies/{policyId}" => GetPolicy, Read, Policies),
    route!(PUT "/api/v1/policies/{policyId}" => ReplacePolicy, ManageSecurity, Policies),
    route!(DELETE "/api/v1/policies/{policyId}" => DeletePolicy, ManageSecurity, Policies),
    route!(POST "/api/v1/policies/{policyId}/lifecycle/activate" => ActivatePolicy, ManageSecurity, Policies),
    route!(POST "/api/v1/policies/{policyId}/lifecycle/deactivate" => DeactivatePolicy, ManageSecurity, Policies),
    route!(GET "/api/v1/policies/{policyId}/rules" => ListRules, Read, Policies),
    route!(POST "/api/v1/policies/{policyId}/rules" => CreateRule, ManageSecurity, Policies),
    route!(GET "/api/v1/policies/{policyId}/rules/{ruleId}" => GetRule, Read, Policies),
    route!(PUT "/api/v1/policies/{policyId}/rules/{ruleId}" => ReplaceRule, ManageSecurity, Policies),
    route!(DELETE "/api/v1/policies/{policyId}/rules/{ruleId}" => DeleteRule, ManageSecurity, Policies),
    route!(POST "/api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/activate" => ActivateRule, ManageSecurity, Policies),
    route!(POST "/api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/deactivate" => DeactivateRule, ManageSecurity, Policies),
    route!(GET "/api/v1/api-tokens" => ListTokens, ManageSecurity, ApiTokens),
    route!(DELETE "/api/v1/api-tokens/current" => RevokeCurrentToken, Read, ApiTokens),
    route!(GET "/api/v1/api-tokens/{apiTokenId}" => GetToken, ManageSecurity, ApiTokens),
    route!(PUT "/api/v1/api-tokens/{apiTokenId}" => UpsertToken, ManageSecurity, ApiTokens),
    route!(DELETE "/api/v1/api-tokens/{apiTokenId}" => RevokeToken, ManageSecurity, ApiTokens),
    route!(GET "/api/v1/logs" => ListLogs, Read, Logs),
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
    for route in ROUTES {
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
            Matched::Route(route, _) => assert_eq!(route.endpoint, RevokeCurrentToken),
            _ => panic!("no route"),
        }
        match match_route(&Method::POST, "/api/v1/users/00u1/lifecycle/suspend") {
            Matched::Route(route, params) => {
                assert_eq!(route.endpoint, UserLifecycle(Lifecycle::Suspend));
                assert_eq!(params, vec!["00u1".to_string()]);
            }
            _ => panic!("no route"),
        }
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
    fn unknown_methods_and_paths_are_distinguished() {
        assert!(matches!(
            match_route(&Method::PATCH, "/api/v1/users/x"),
            Matched::WrongMethod(_)
        ));
        assert!(matches!(
            match_route(&Method::GET, "/api/v1/apps"),
            Matched::Unimplemented
        ));
        assert!(matches!(
            match_route(&Method::GET, "/index.html"),
            Matched::NotFound
        ));
    }
}

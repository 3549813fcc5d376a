//! The routes of the apps family: `/api/v1/apps` with an OAuth client's keys and grants, and a
//! service app's admin roles under `/oauth2/v1/clients`. Kept apart from the main table so that
//! the family's routes change in one place; `routes::all_routes` chains them.
//!
//! Okta's bucket for these is not among those the emulator models with their own limits
//! (`docs/emulator.md`, Rate limits): they count in "most other API actions" (`/api/v1`).

use super::Route;
use crate::handlers::Handler::OnOrg;
use crate::handlers::{apps, client_roles};

pub(super) static APP_ROUTES: &[Route] = &[
    route!(GET "/api/v1/apps" => OnOrg(apps::list), Read, ApiV1, "okta.apps.read"),
    route!(POST "/api/v1/apps" => OnOrg(apps::create), ManageApps, ApiV1, "okta.apps.manage"),
    route!(GET "/api/v1/apps/{appId}" => OnOrg(apps::get), Read, ApiV1, "okta.apps.read"),
    route!(PUT "/api/v1/apps/{appId}" => OnOrg(apps::replace), ManageApps, ApiV1, "okta.apps.manage"),
    route!(DELETE "/api/v1/apps/{appId}" => OnOrg(apps::delete), ManageApps, ApiV1, "okta.apps.manage"),
    route!(POST "/api/v1/apps/{appId}/lifecycle/activate" => OnOrg(apps::activate), ManageApps, ApiV1, "okta.apps.manage"),
    route!(POST "/api/v1/apps/{appId}/lifecycle/deactivate" => OnOrg(apps::deactivate), ManageApps, ApiV1, "okta.apps.manage"),
    route!(GET "/api/v1/apps/{appId}/credentials/jwks" => OnOrg(apps::jwks::list), Read, ApiV1, "okta.apps.read"),
    route!(POST "/api/v1/apps/{appId}/credentials/jwks" => OnOrg(apps::jwks::add), ManageApps, ApiV1, "okta.apps.manage"),
    route!(GET "/api/v1/apps/{appId}/credentials/jwks/{keyId}" => OnOrg(apps::jwks::get), Read, ApiV1, "okta.apps.read"),
    route!(DELETE "/api/v1/apps/{appId}/credentials/jwks/{keyId}" => OnOrg(apps::jwks::delete), ManageApps, ApiV1, "okta.apps.manage"),
    route!(POST "/api/v1/apps/{appId}/credentials/jwks/{keyId}/lifecycle/activate" => OnOrg(apps::jwks::activate), ManageApps, ApiV1, "okta.apps.manage"),
    route!(POST "/api/v1/apps/{appId}/credentials/jwks/{keyId}/lifecycle/deactivate" => OnOrg(apps::jwks::deactivate), ManageApps, ApiV1, "okta.apps.manage"),
    route!(GET "/api/v1/apps/{appId}/users" => OnOrg(apps::assignments::list_users), Read, ApiV1, "okta.apps.read"),
    route!(POST "/api/v1/apps/{appId}/users" => OnOrg(apps::assignments::assign_user), ManageApps, ApiV1, "okta.apps.manage"),
    route!(GET "/api/v1/apps/{appId}/users/{userId}" => OnOrg(apps::assignments::get_user), Read, ApiV1, "okta.apps.read"),
    route!(POST "/api/v1/apps/{appId}/users/{userId}" => OnOrg(apps::assignments::update_user), ManageApps, ApiV1, "okta.apps.manage"),
    route!(DELETE "/api/v1/apps/{appId}/users/{userId}" => OnOrg(apps::assignments::unassign_user), ManageApps, ApiV1, "okta.apps.manage"),
    route!(GET "/api/v1/apps/{appId}/groups" => OnOrg(apps::assignments::list_groups), Read, ApiV1, "okta.apps.read"),
    route!(GET "/api/v1/apps/{appId}/groups/{groupId}" => OnOrg(apps::assignments::get_group), Read, ApiV1, "okta.apps.read"),
    route!(PUT "/api/v1/apps/{appId}/groups/{groupId}" => OnOrg(apps::assignments::assign_group), ManageApps, ApiV1, "okta.apps.manage"),
    route!(DELETE "/api/v1/apps/{appId}/groups/{groupId}" => OnOrg(apps::assignments::unassign_group), ManageApps, ApiV1, "okta.apps.manage"),
    // Okta's reference lists the group's apps under the groups API (`okta.groups.read`); it
    // lives here with the assignments it reads. The `/api/v1/groups` bucket, as a group's
    // other sub-resources.
    route!(GET "/api/v1/groups/{groupId}/apps" => OnOrg(apps::assignments::apps_of_group), Read, Groups, "okta.groups.read"),
    route!(GET "/api/v1/apps/{appId}/credentials/keys" => OnOrg(apps::signing::list_keys), Read, ApiV1, "okta.apps.read"),
    route!(POST "/api/v1/apps/{appId}/credentials/keys/generate" => OnOrg(apps::signing::generate_key), ManageApps, ApiV1, "okta.apps.manage"),
    route!(GET "/api/v1/apps/{appId}/credentials/keys/{keyId}" => OnOrg(apps::signing::get_key), Read, ApiV1, "okta.apps.read"),
    route!(POST "/api/v1/apps/{appId}/credentials/keys/{keyId}/clone" => OnOrg(apps::signing::clone_key), ManageApps, ApiV1, "okta.apps.manage"),
    route!(GET "/api/v1/apps/{appId}/credentials/csrs" => OnOrg(apps::signing::list_csrs), Read, ApiV1, "okta.apps.read"),
    route!(POST "/api/v1/apps/{appId}/credentials/csrs" => OnOrg(apps::signing::create_csr), ManageApps, ApiV1, "okta.apps.manage"),
    route!(GET "/api/v1/apps/{appId}/credentials/csrs/{csrId}" => OnOrg(apps::signing::get_csr), Read, ApiV1, "okta.apps.read"),
    route!(DELETE "/api/v1/apps/{appId}/credentials/csrs/{csrId}" => OnOrg(apps::signing::revoke_csr), ManageApps, ApiV1, "okta.apps.manage"),
    // The reference lists a user's app links under the users API (`okta.users.read`, the
    // `/api/v1/users` bucket).
    route!(GET "/api/v1/users/{userId}/appLinks" => OnOrg(apps::assignments::app_links), Read, Users, "okta.users.read"),
    route!(GET "/api/v1/policies/{policyId}/app" => OnOrg(apps::policy_apps), Read, ApiV1, "okta.policies.read"),
    // "Only the Super Admin role has the permissions to grant scopes to an app" (Okta's
    // service-app guide): granting and revoking need what granting admin roles needs.
    route!(GET "/api/v1/apps/{appId}/grants" => OnOrg(apps::grants::list), Read, ApiV1, "okta.appGrants.read"),
    route!(POST "/api/v1/apps/{appId}/grants" => OnOrg(apps::grants::grant), ManageAdmins, ApiV1, "okta.appGrants.manage"),
    route!(GET "/api/v1/apps/{appId}/grants/{grantId}" => OnOrg(apps::grants::get), Read, ApiV1, "okta.appGrants.read"),
    route!(DELETE "/api/v1/apps/{appId}/grants/{grantId}" => OnOrg(apps::grants::revoke), ManageAdmins, ApiV1, "okta.appGrants.manage"),
    route!(GET "/oauth2/v1/clients/{clientId}/roles" => OnOrg(client_roles::list), Read, ApiV1, "okta.roles.read"),
    route!(POST "/oauth2/v1/clients/{clientId}/roles" => OnOrg(client_roles::assign), ManageAdmins, ApiV1, "okta.roles.manage"),
    route!(GET "/oauth2/v1/clients/{clientId}/roles/{roleAssignmentId}" => OnOrg(client_roles::get), Read, ApiV1, "okta.roles.read"),
    route!(DELETE "/oauth2/v1/clients/{clientId}/roles/{roleAssignmentId}" => OnOrg(client_roles::unassign), ManageAdmins, ApiV1, "okta.roles.manage"),
];

//! The routes of a user's credential operations, sessions, OAuth grants and clients, and linked
//! identity providers
//! (`handlers::credentials`). Like every sub-resource of a user they fall in Okta's
//! `/api/v1/users` bucket; the scopes are those of Okta's reference.

use super::Route;
use crate::handlers::{Handler::OnOrg, credentials};

pub static ROUTES: &[Route] = &[
    route!(POST "/api/v1/users/{userId}/credentials/change_password" => OnOrg(credentials::change_password), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/credentials/change_recovery_question" => OnOrg(credentials::change_recovery_question), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/credentials/forgot_password_recovery_question" => OnOrg(credentials::forgot_password_with_answer), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/expire_password_with_temp_password" => OnOrg(credentials::expire_password_with_temporary), ManageUsers, Users, "okta.users.manage"),
    route!(POST "/api/v1/users/{userId}/lifecycle/reset_factors" => OnOrg(credentials::reset_factors), ManageUsers, Users, "okta.users.manage"),
    route!(DELETE "/api/v1/users/{userId}/sessions" => OnOrg(credentials::clear_sessions), ManageUsers, Users, "okta.users.manage"),
    route!(GET "/api/v1/users/{userId}/grants" => OnOrg(credentials::list_grants), Read, Users, "okta.users.read"),
    route!(DELETE "/api/v1/users/{userId}/grants" => OnOrg(credentials::revoke_grants), ManageUsers, Users, "okta.users.manage"),
    route!(GET "/api/v1/users/{userId}/clients" => OnOrg(credentials::list_clients), Read, Users, "okta.users.read"),
    route!(GET "/api/v1/users/{userId}/idps" => OnOrg(credentials::list_identity_providers), Read, Users, "okta.users.read"),
    route!(GET "/api/v1/users/{userId}/grants/{grantId}" => OnOrg(credentials::get_grant), Read, Users, "okta.users.read"),
    route!(DELETE "/api/v1/users/{userId}/grants/{grantId}" => OnOrg(credentials::revoke_grant), ManageUsers, Users, "okta.users.manage"),
];

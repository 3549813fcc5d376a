//! Admin role assignments of users.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::client::{Call, Client, segment};
use super::error::OktaError;

/// One role assignment. Its `id` is opaque and differs per role type (base32 of the type for
/// some, random `ra1…` for others); compare `role_type`, never `label`, whose wording drifts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    pub id: String,
    #[serde(rename = "type")]
    pub role_type: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// `USER`, or `GROUP` for a role the user holds through a group.
    #[serde(default)]
    pub assignment_type: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
}

/// What `assign_role` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleAssigned {
    Assigned(RoleAssignment),
    /// Okta's E0000090: the user already had the role. Success for the caller that wants the
    /// role held; typed so that a caller can tell.
    AlreadyAssigned,
}

impl Client {
    /// `GET /api/v1/users/{id}/roles`.
    pub async fn list_user_roles(&self, user_id: &str) -> Result<Vec<RoleAssignment>, OktaError> {
        let call = Call::get(
            "/api/v1/users/{id}/roles",
            format!("/api/v1/users/{}/roles", segment(user_id)),
        );
        self.fetch_all(call, "list of role assignments").await
    }

    /// Assigns a standard admin role (`SUPER_ADMIN`, `READ_ONLY_ADMIN`, `APP_ADMIN`, …) with
    /// `disableNotifications=true`: the user becomes a third-party admin that gets no Okta admin
    /// e-mails. Retried after a 5xx or timeout, because a replay cannot assign twice: it answers
    /// E0000090, which this returns as `AlreadyAssigned`.
    pub async fn assign_role(
        &self,
        user_id: &str,
        role_type: &str,
    ) -> Result<RoleAssigned, OktaError> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "type")]
            role_type: &'a str,
        }
        let call = Call::new(
            Method::POST,
            "/api/v1/users/{id}/roles",
            format!("/api/v1/users/{}/roles", segment(user_id)),
        )
        .query("disableNotifications", true)
        .json(&Body { role_type })?
        .replay_safe();
        match self.fetch(call, "role assignment").await {
            Ok(assignment) => Ok(RoleAssigned::Assigned(assignment)),
            Err(error) if error.is_role_already_assigned() => Ok(RoleAssigned::AlreadyAssigned),
            Err(error) => Err(error),
        }
    }

    /// `DELETE /api/v1/users/{id}/roles/{assignment}`.
    pub async fn unassign_role(&self, user_id: &str, assignment_id: &str) -> Result<(), OktaError> {
        let call = Call::new(
            Method::DELETE,
            "/api/v1/users/{id}/roles/{roleAssignmentId}",
            format!(
                "/api/v1/users/{}/roles/{}",
                segment(user_id),
                segment(assignment_id)
            ),
        );
        self.execute(call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_assignments_are_read_tolerantly() {
        let body = r#"[{"id":"ra1kwqxf82TDF45At1d7","label":"Super Administrator","type":"SUPER_ADMIN",
            "status":"ACTIVE","created":"2025-03-13T23:26:18.000Z","assignmentType":"USER",
            "_links":{"assignee":{"href":"https://x/api/v1/users/00u"}}},
            {"id":"IFIFAX2BIRGUSTQ","type":"APP_ADMIN"}]"#;
        let roles: Vec<RoleAssignment> = serde_json::from_str(body).unwrap();
        assert_eq!(roles[0].role_type, "SUPER_ADMIN");
        assert_eq!(roles[0].assignment_type.as_deref(), Some("USER"));
        assert_eq!(roles[1].label, None);
    }
}

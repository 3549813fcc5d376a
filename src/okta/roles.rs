//! Admin role assignments of users and of groups. A user's listing holds every role the user
//! holds: its own assignments (`assignmentType: USER`), those of each group it belongs to
//! (`GROUP`, the group named by `_links.assignee`), standard and custom (`type: CUSTOM`, with
//! the custom role's id in `role` and its resource set in `resource-set`).

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
    /// A custom role's id (`cr0...`); for a standard role in the IAM-style listing, its type.
    #[serde(default)]
    pub role: Option<String>,
    /// The resource set a custom role is bound over (`iam...`).
    #[serde(default, rename = "resource-set")]
    pub resource_set: Option<String>,
    #[serde(default, rename = "_links")]
    pub links: Option<AssignmentLinks>,
}

/// The links of a role assignment this client reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct AssignmentLinks {
    /// Who the role is assigned to: the user itself, or the group it holds the role through.
    #[serde(default)]
    pub assignee: Option<Href>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Href {
    #[serde(default)]
    pub href: String,
}

impl RoleAssignment {
    /// Assigned to the user itself (`assignmentType: USER`, or no type, as older answers give).
    pub fn is_direct(&self) -> bool {
        self.assignment_type.as_deref().unwrap_or("USER") == "USER"
    }

    /// The id of the group the role is held through, from `_links.assignee.href`
    /// (`.../api/v1/groups/{id}`); `None` for a direct assignment or an answer without it.
    pub fn assignee_group_id(&self) -> Option<&str> {
        let href = &self.links.as_ref()?.assignee.as_ref()?.href;
        let (_, rest) = href.split_once("/api/v1/groups/")?;
        let id = rest.split(['/', '?', '#']).next()?;
        (!id.is_empty()).then_some(id)
    }

    /// Whether this is a custom role's assignment (with its role and resource set).
    pub fn is_custom(&self) -> bool {
        self.role_type == "CUSTOM"
    }
}

/// What `assign_role` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleAssigned {
    Assigned(Box<RoleAssignment>),
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
            Ok(assignment) => Ok(RoleAssigned::Assigned(Box::new(assignment))),
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

    /// `GET /api/v1/groups/{id}/roles`: the roles granted to a group, each held by its members.
    pub async fn list_group_roles(&self, group_id: &str) -> Result<Vec<RoleAssignment>, OktaError> {
        let call = Call::get(
            "/api/v1/groups/{id}/roles",
            format!("/api/v1/groups/{}/roles", segment(group_id)),
        );
        self.fetch_all(call, "list of the group's role assignments")
            .await
    }

    /// `DELETE /api/v1/groups/{id}/roles/{assignment}`: every member loses the role.
    pub async fn unassign_group_role(
        &self,
        group_id: &str,
        assignment_id: &str,
    ) -> Result<(), OktaError> {
        let call = Call::new(
            Method::DELETE,
            "/api/v1/groups/{id}/roles/{roleAssignmentId}",
            format!(
                "/api/v1/groups/{}/roles/{}",
                segment(group_id),
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
        assert!(roles[0].is_direct() && roles[1].is_direct());
        assert_eq!(roles[0].assignee_group_id(), None);
    }

    #[test]
    fn roles_held_through_a_group_and_custom_roles_say_how() {
        // The shapes of Okta's examples CreateStandardRoleAssignmentResponseGroup and
        // CustomRolesListResponseGroup.
        let body = r#"[{"id":"grasraHPx7i79ajaJ0g3","type":"ORG_ADMIN","assignmentType":"GROUP",
            "_links":{"assignee":{"href":"https://x.okta.com/api/v1/groups/00gsr2IepS8YhHRFf0g3"}}},
            {"id":"irb1q92TFAHzySt3x0g4","role":"cr0Yq6IJxGIr0ouum0g3","label":"UserCreatorRole",
            "type":"CUSTOM","assignmentType":"GROUP","resource-set":"iamoJDFKaJxGIr0oamd9g",
            "_links":{"assignee":{"href":"https://x.okta.com/api/v1/groups/00g1emaKYZTWRYYRRTSK"}}},
            {"id":"irb2","role":"cr0Yq","type":"CUSTOM","assignmentType":"USER",
            "resource-set":"iamo","_links":{"assignee":{"href":"https://x.okta.com/api/v1/users/00u1"}}}]"#;
        let roles: Vec<RoleAssignment> = serde_json::from_str(body).unwrap();
        assert!(!roles[0].is_direct());
        assert_eq!(roles[0].assignee_group_id(), Some("00gsr2IepS8YhHRFf0g3"));
        assert!(roles[1].is_custom());
        assert_eq!(roles[1].role.as_deref(), Some("cr0Yq6IJxGIr0ouum0g3"));
        assert_eq!(
            roles[1].resource_set.as_deref(),
            Some("iamoJDFKaJxGIr0oamd9g")
        );
        assert_eq!(roles[1].assignee_group_id(), Some("00g1emaKYZTWRYYRRTSK"));
        assert!(roles[2].is_direct() && roles[2].is_custom());
        assert_eq!(roles[2].assignee_group_id(), None);
    }
}

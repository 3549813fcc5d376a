//! Admin roles assigned to a service app (`/oauth2/v1/clients/{clientId}/roles`, Okta's
//! `assignmentType: CLIENT`): with its scopes, they decide what its access tokens may do.

use serde::Deserializer;
use serde_json::{Value, json};

use super::rows_or_names;
use crate::store::roles::{check_role_type, new_assignment_id, role_label};
use crate::store::{ApiError, Audit, Org, RoleAssignment};

/// Assignments as saved, or (service apps saved before assignments existed) plain role types.
pub(super) fn deserialize_roles<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<RoleAssignment>, D::Error> {
    rows_or_names(deserializer, |role_type| new_client_role(&role_type, 0))
}

pub(super) fn new_client_role(role_type: &str, now: i64) -> RoleAssignment {
    RoleAssignment {
        id: new_assignment_id(role_type, "irb"),
        role_type: role_type.to_string(),
        created: now,
        last_updated: now,
        disable_notifications: false,
        group_targets: Vec::new(),
    }
}

impl Org {
    /// The service app whose client id this is; Okta assigns roles to service apps only
    /// (E0000227 "Roles can only be granted to service application type").
    fn role_holder(&self, client_id: &str) -> Result<&super::App, ApiError> {
        let app = self
            .app_by_client_id(client_id)
            .ok_or_else(|| ApiError::not_found(client_id, "Client"))?;
        if !app.is_service() {
            return Err(ApiError::NotServiceApp);
        }
        Ok(app)
    }

    pub fn client_roles(&self, client_id: &str) -> Result<&[RoleAssignment], ApiError> {
        Ok(&self.role_holder(client_id)?.roles)
    }

    pub fn client_role(
        &self,
        client_id: &str,
        assignment_id: &str,
    ) -> Result<&RoleAssignment, ApiError> {
        self.client_roles(client_id)?
            .iter()
            .find(|role| role.id == assignment_id)
            .ok_or_else(|| ApiError::not_found(assignment_id, "RoleAssignment"))
    }

    pub fn assign_client_role(
        &mut self,
        audit: &Audit,
        client_id: &str,
        role_type: &str,
    ) -> Result<&RoleAssignment, ApiError> {
        check_role_type(role_type)?;
        if role_type == "CUSTOM" {
            return Err(ApiError::Unsupported {
                what: "custom role assignments to a client (bind the role to a resource set)"
                    .to_string(),
            });
        }
        let app_id = self.role_holder(client_id)?.id.clone();
        let app = self.service_apps.found_mut(&app_id, "AppInstance")?;
        if app.roles.iter().any(|role| role.role_type == role_type) {
            return Err(ApiError::DuplicateRole);
        }
        let role = new_client_role(role_type, audit.now);
        let assignment_id = role.id.clone();
        let role_target = role_target(&role);
        app.roles.push(role);
        let target = client_target(app);
        self.emit(
            audit,
            "app.oauth2.client.privilege.grant",
            "Grant client privilege",
            vec![target, role_target],
            json!({ "privilegeGranted": role_label(role_type) }),
        );
        self.client_role(client_id, &assignment_id)
    }

    pub fn unassign_client_role(
        &mut self,
        audit: &Audit,
        client_id: &str,
        assignment_id: &str,
    ) -> Result<(), ApiError> {
        let role_type = self
            .client_role(client_id, assignment_id)?
            .role_type
            .clone();
        let app_id = self.role_holder(client_id)?.id.clone();
        let app = self.service_apps.found_mut(&app_id, "AppInstance")?;
        let index = app
            .roles
            .iter()
            .position(|role| role.id == assignment_id)
            .ok_or_else(|| ApiError::not_found(assignment_id, "RoleAssignment"))?;
        let removed = app.roles.remove(index);
        let target = client_target(app);
        self.emit(
            audit,
            "app.oauth2.client.privilege.revoke",
            "Revoke client privilege",
            vec![target, role_target(&removed)],
            json!({ "privilegeRevoked": role_label(&role_type) }),
        );
        Ok(())
    }
}

fn client_target(app: &super::App) -> Value {
    json!({ "id": app.client_id, "type": "PublicClientApp", "alternateId": app.client_id, "displayName": app.label, "detailEntry": null })
}

fn role_target(role: &RoleAssignment) -> Value {
    json!({ "id": role.id, "type": "ROLE", "alternateId": role.id, "displayName": role_label(&role.role_type), "detailEntry": null })
}

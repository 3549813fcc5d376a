//! Admin roles assigned to groups: every member holds them (`assignmentType: GROUP` in the
//! member's role listing), with the `group.privilege.*` events Okta logs.

use serde_json::json;

use super::roles::{
    RoleChange, check_role_type, new_assignment_id, role_change_target, role_label, role_target,
};
use super::{ApiError, Audit, Group, Org, RoleAssignment};

impl Org {
    /// `POST /api/v1/groups/{groupId}/roles` with a standard role. Okta refuses roles for its
    /// built-in groups (E0000211, "Roles cannot be granted to built-in groups").
    pub fn assign_group_role(
        &mut self,
        audit: &Audit,
        group_id: &str,
        role_type: &str,
        disable_notifications: bool,
    ) -> Result<(&Group, usize), ApiError> {
        let group = self.find_group(group_id)?;
        check_role_type(role_type)?;
        if group.built_in {
            return Err(ApiError::BuiltInGroupRole {
                group: group.name.clone(),
            });
        }
        if self.group_has_rules(group_id) {
            return Err(ApiError::GroupWithRules {
                group: group.name.clone(),
            });
        }
        if role_type == "CUSTOM" {
            return Err(ApiError::invalid(
                "type: a CUSTOM assignment needs role and resource-set",
            ));
        }
        if group.roles.iter().any(|role| role.role_type == role_type) {
            return Err(ApiError::DuplicateRole);
        }
        let assignment = RoleAssignment {
            id: new_assignment_id(role_type, "gra"),
            role_type: role_type.to_string(),
            created: audit.now,
            last_updated: audit.now,
            disable_notifications,
            group_targets: Vec::new(),
        };
        let role = role_target(&assignment);
        let group = self.groups.found_mut(group_id, "UserGroup")?;
        group.roles.push(assignment);
        let index = group.roles.len() - 1;
        let group_target = group.target();
        let debug = json!({
            "privilegeGranted": self.group_privilege_labels(group_id).join(", "),
            "disableNotifications": disable_notifications,
        });
        let targets = vec![
            group_target,
            role_change_target(RoleChange::Assigned, "Group"),
            role,
        ];
        self.emit(
            audit,
            "group.privilege.grant",
            "Grant group privilege",
            targets,
            debug,
        );
        Ok((self.find_group(group_id)?, index))
    }

    /// `DELETE /api/v1/groups/{groupId}/roles/{roleAssignmentId}`. As for users, Okta's
    /// `group.privilege.revoke` means the group has no admin privilege left ("All of group's
    /// privileges were revoked"); removing one role of several is a `group.privilege.grant`
    /// whose targets say the role was unassigned.
    pub fn unassign_group_role(
        &mut self,
        audit: &Audit,
        group_id: &str,
        assignment_id: &str,
    ) -> Result<(), ApiError> {
        let group = self.find_group(group_id)?;
        let index = group
            .roles
            .iter()
            .position(|role| role.id == assignment_id)
            .ok_or_else(|| ApiError::not_found(assignment_id, "RoleAssignment"))?;
        let group = self.groups.found_mut(group_id, "UserGroup")?;
        let removed = group.roles.remove(index);
        group.last_updated = audit.now;
        let group_target = group.target();
        let held = self.group_privilege_labels(group_id);
        let all_revoked = held.is_empty();
        let debug = json!({
            "privilegeRevoked": role_label(&removed.role_type),
            "privilegeGranted": held.join(", "),
        });
        let change = if all_revoked {
            RoleChange::AllRevoked
        } else {
            RoleChange::Unassigned
        };
        let targets = vec![
            group_target,
            role_change_target(change, "Group"),
            role_target(&removed),
        ];
        let (event_type, message) = if all_revoked {
            ("group.privilege.revoke", "Revoke group privilege")
        } else {
            ("group.privilege.grant", "Grant group privilege")
        };
        self.emit(audit, event_type, message, targets, debug);
        Ok(())
    }
}

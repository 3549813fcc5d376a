//! Group targets of admin role assignments, of users and of groups: a `USER_ADMIN`,
//! `HELP_DESK_ADMIN` or `GROUP_MEMBERSHIP_ADMIN` assignment with targets applies to those groups
//! only (Okta's reference: "When you assign the first group target, you reduce the scope of the
//! role assignment"); without any, to the whole org, and its target list is empty.
//!
//! The emulator keeps and lists the targets; its privilege check still treats a targeted
//! assignment as org-wide (docs/emulator.md says so).

use super::{ApiError, Group, Org, RoleAssignment};

/// The standard roles Okta's reference lets group targets narrow.
const TARGETABLE: &[&str] = &["USER_ADMIN", "HELP_DESK_ADMIN", "GROUP_MEMBERSHIP_ADMIN"];

/// Whose role assignment: a user's (by id or login) or a group's.
#[derive(Clone, Copy)]
pub enum RoleHolder<'a> {
    User(&'a str),
    Group(&'a str),
}

impl Org {
    fn assignment(&self, assignee: RoleHolder, id: &str) -> Result<&RoleAssignment, ApiError> {
        let roles = match assignee {
            RoleHolder::User(user) => &self.find_user(user)?.roles,
            RoleHolder::Group(group) => &self.find_group(group)?.roles,
        };
        roles
            .iter()
            .find(|role| role.id == id)
            .ok_or_else(|| ApiError::not_found(id, "RoleAssignment"))
    }

    fn assignment_mut(
        &mut self,
        assignee: RoleHolder,
        id: &str,
    ) -> Result<&mut RoleAssignment, ApiError> {
        let roles = match assignee {
            RoleHolder::User(user) => {
                let user_id = self.user_id_of(user)?;
                &mut self.users.found_mut(&user_id, "User")?.roles
            }
            RoleHolder::Group(group) => &mut self.groups.found_mut(group, "UserGroup")?.roles,
        };
        roles
            .iter_mut()
            .find(|role| role.id == id)
            .ok_or_else(|| ApiError::not_found(id, "RoleAssignment"))
    }

    /// The groups an assignment is narrowed to that still exist, in the order they were added.
    pub fn role_group_targets(
        &self,
        assignee: RoleHolder,
        assignment_id: &str,
    ) -> Result<Vec<&Group>, ApiError> {
        Ok(self
            .assignment(assignee, assignment_id)?
            .group_targets
            .iter()
            .filter_map(|id| self.groups.get(id))
            .collect())
    }

    /// Narrows an assignment to one more group; adding a group it has is a no-op.
    pub fn add_role_group_target(
        &mut self,
        now: i64,
        assignee: RoleHolder,
        assignment_id: &str,
        group_id: &str,
    ) -> Result<(), ApiError> {
        let role_type = &self.assignment(assignee, assignment_id)?.role_type;
        if !TARGETABLE.contains(&role_type.as_str()) {
            return Err(ApiError::invalid(format!(
                "Group targets apply to USER_ADMIN, HELP_DESK_ADMIN and GROUP_MEMBERSHIP_ADMIN only, not {role_type}"
            )));
        }
        self.find_group(group_id)?;
        let assignment = self.assignment_mut(assignee, assignment_id)?;
        if !assignment.group_targets.iter().any(|id| id == group_id) {
            assignment.group_targets.push(group_id.to_string());
            assignment.last_updated = now;
        }
        Ok(())
    }

    /// Removes a group from an assignment's targets; 404 when it is not one of them.
    pub fn remove_role_group_target(
        &mut self,
        now: i64,
        assignee: RoleHolder,
        assignment_id: &str,
        group_id: &str,
    ) -> Result<(), ApiError> {
        let assignment = self.assignment(assignee, assignment_id)?;
        if !assignment.group_targets.iter().any(|id| id == group_id) {
            return Err(ApiError::not_found(group_id, "UserGroup"));
        }
        let assignment = self.assignment_mut(assignee, assignment_id)?;
        assignment.group_targets.retain(|id| id != group_id);
        assignment.last_updated = now;
        Ok(())
    }
}

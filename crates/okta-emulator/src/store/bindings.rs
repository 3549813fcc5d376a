//! Role resource set bindings: a custom role granted over a resource set to members, users or
//! groups. Okta's concept guide: "An assignment of a role to an admin is called a Binding ... a
//! single unique combination of principal, resource set, and custom role". A custom role
//! assigned through `POST /users/{id}/roles` (or a group's) is such a member too, so one model
//! serves both paths: the member's id is the assignment's id.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::roles::{Grant, HeldRole, RoleChange, role_change_target};
use super::{ApiError, Audit, Org, validation};
use crate::util::okta_id;

/// "You can only have 1,000 admins who have the same role and resource set combination"
/// (help.okta.com, custom admin roles).
pub const MAX_BINDING_MEMBERS: usize = 1_000;

/// Who a binding grants its role to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Member {
    User(String),
    Group(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BindingMember {
    /// `irb…`, also the assignment id in the member's role listing.
    pub id: String,
    pub member: Member,
    pub created: i64,
    pub last_updated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Binding {
    pub role_id: String,
    pub created: i64,
    pub last_updated: i64,
    pub members: Vec<BindingMember>,
}

impl Org {
    /// A member reference as Okta's binding requests carry it: the URL of a user or a group
    /// (`https://{domain}/api/v1/users/{id}`, `…/api/v1/groups/{id}`) of this org.
    pub fn member_of_href(&self, href: &str) -> Result<Member, ApiError> {
        let shown: String = href.chars().take(100).collect();
        let malformed = || {
            validation(vec![format!(
                "members: '{shown}' is not the URL of a user or a group"
            )])
        };
        let path = href.split_once("/api/v1/").ok_or_else(malformed)?.1;
        let member = match path.trim_end_matches('/').split('/').collect::<Vec<_>>()[..] {
            ["users", id] if !id.is_empty() => Member::User(id.to_string()),
            ["groups", id] if !id.is_empty() => Member::Group(id.to_string()),
            _ => return Err(malformed()),
        };
        match &member {
            Member::User(id) => {
                self.users.found(id, "User")?;
            }
            Member::Group(id) => {
                let group = self.find_group(id)?;
                if group.built_in {
                    return Err(ApiError::BuiltInGroupRole {
                        group: group.name.clone(),
                    });
                }
            }
        }
        Ok(member)
    }

    /// The resource set and the binding of `role` in it.
    pub fn find_binding(
        &self,
        set_id_or_label: &str,
        role_id_or_label: &str,
    ) -> Result<(&super::ResourceSet, &Binding), ApiError> {
        let set = self.find_resource_set(set_id_or_label)?;
        let role = self.find_custom_role(role_id_or_label)?;
        let binding = set
            .bindings
            .iter()
            .find(|binding| binding.role_id == role.id)
            .ok_or_else(|| ApiError::not_found(role_id_or_label, "Binding"))?;
        Ok((set, binding))
    }

    /// `POST …/bindings` (`existing_only` false) and `PATCH …/bindings/{role}/members`
    /// (`existing_only` true): adds the members, each once; one already there is left as it
    /// is. Returns the resource set's and the role's ids.
    pub fn add_binding_members(
        &mut self,
        audit: &Audit,
        set_id_or_label: &str,
        role_id_or_label: &str,
        hrefs: &[String],
        existing_only: bool,
    ) -> Result<(String, String), ApiError> {
        let set_id = self.resource_set_id(set_id_or_label)?;
        let role_id = self.find_custom_role(role_id_or_label)?.id.clone();
        if existing_only {
            self.find_binding(&set_id, &role_id)?;
        }
        if hrefs.is_empty() {
            return Err(ApiError::invalid("members: The field cannot be left blank"));
        }
        if hrefs.len() > MAX_BINDING_MEMBERS {
            return Err(ApiError::invalid(format!(
                "members: at most {MAX_BINDING_MEMBERS} members are allowed"
            )));
        }
        let mut members: Vec<Member> = Vec::new();
        for href in hrefs {
            let member = self.member_of_href(href)?;
            if !members.contains(&member) {
                members.push(member);
            }
        }
        let present = self.binding_members(&set_id, &role_id);
        members.retain(|member| !present.contains(member));
        if present.len() + members.len() > MAX_BINDING_MEMBERS {
            return Err(ApiError::invalid(format!(
                "members: at most {MAX_BINDING_MEMBERS} members are allowed"
            )));
        }
        for member in members {
            self.bind(audit, &set_id, &role_id, member)?;
        }
        Ok((set_id, role_id))
    }

    fn binding_members(&self, set_id: &str, role_id: &str) -> Vec<Member> {
        self.find_binding(set_id, role_id)
            .map(|(_, binding)| binding.members.iter().map(|m| m.member.clone()).collect())
            .unwrap_or_default()
    }

    /// A custom role assigned to a user or a group through its roles endpoint
    /// (`{type: "CUSTOM", role, resource-set}`); the same member twice is Okta's duplicate
    /// assignment (409 `E0000090`). Returns the assignment's (the member's) id.
    pub fn assign_custom_role(
        &mut self,
        audit: &Audit,
        member: Member,
        role_id_or_label: &str,
        set_id_or_label: &str,
    ) -> Result<String, ApiError> {
        let role_id = self.find_custom_role(role_id_or_label)?.id.clone();
        let set_id = self.resource_set_id(set_id_or_label)?;
        let present = self.binding_members(&set_id, &role_id);
        if present.contains(&member) {
            return Err(ApiError::DuplicateRole);
        }
        if present.len() >= MAX_BINDING_MEMBERS {
            return Err(ApiError::invalid(format!(
                "members: at most {MAX_BINDING_MEMBERS} members are allowed"
            )));
        }
        self.bind(audit, &set_id, &role_id, member)
    }

    /// Adds one checked member, creating the binding if needed, and logs it.
    fn bind(
        &mut self,
        audit: &Audit,
        set_id: &str,
        role_id: &str,
        member: Member,
    ) -> Result<String, ApiError> {
        let now = audit.now;
        let id = okta_id("irb");
        let set = self.resource_sets.found_mut(set_id, "ResourceSet")?;
        let index = match set.bindings.iter().position(|b| b.role_id == role_id) {
            Some(index) => index,
            None => {
                set.bindings.push(Binding {
                    role_id: role_id.to_string(),
                    created: now,
                    last_updated: now,
                    members: Vec::new(),
                });
                set.bindings.len() - 1
            }
        };
        let binding = &mut set.bindings[index];
        binding.members.push(BindingMember {
            id: id.clone(),
            member: member.clone(),
            created: now,
            last_updated: now,
        });
        binding.last_updated = now;
        self.log_member_change(audit, set_id, role_id, &member, &id, true)?;
        Ok(id)
    }

    /// Removes one member by id; a binding left without members goes too (a binding is a
    /// combination with a principal). `only` restricts the removal to that principal's own
    /// assignment, as `DELETE /users/{id}/roles/{assignmentId}` does.
    pub fn remove_binding_member(
        &mut self,
        audit: &Audit,
        member_id: &str,
        only: Option<&Member>,
    ) -> Result<bool, ApiError> {
        let found = self.resource_sets.values().find_map(|set| {
            set.bindings.iter().find_map(|binding| {
                binding
                    .members
                    .iter()
                    .find(|m| m.id == member_id && only.is_none_or(|only| &m.member == only))
                    .map(|m| (set.id.clone(), binding.role_id.clone(), m.member.clone()))
            })
        });
        let Some((set_id, role_id, member)) = found else {
            return Ok(false);
        };
        let set = self.resource_sets.found_mut(&set_id, "ResourceSet")?;
        for binding in &mut set.bindings {
            binding.members.retain(|m| m.id != member_id);
        }
        set.bindings.retain(|binding| !binding.members.is_empty());
        self.log_member_change(audit, &set_id, &role_id, &member, member_id, false)?;
        Ok(true)
    }

    /// `DELETE …/bindings/{role}/members/{memberId}`.
    pub fn delete_binding_member(
        &mut self,
        audit: &Audit,
        set_id_or_label: &str,
        role_id_or_label: &str,
        member_id: &str,
    ) -> Result<(), ApiError> {
        let (_, binding) = self.find_binding(set_id_or_label, role_id_or_label)?;
        if !binding.members.iter().any(|m| m.id == member_id) {
            return Err(ApiError::not_found(member_id, "BindingMember"));
        }
        self.remove_binding_member(audit, member_id, None)?;
        Ok(())
    }

    /// `DELETE …/bindings/{role}`: every member loses the role, each logged.
    pub fn delete_binding(
        &mut self,
        audit: &Audit,
        set_id_or_label: &str,
        role_id_or_label: &str,
    ) -> Result<(), ApiError> {
        let (_, binding) = self.find_binding(set_id_or_label, role_id_or_label)?;
        let ids: Vec<String> = binding.members.iter().map(|m| m.id.clone()).collect();
        for id in ids {
            self.remove_binding_member(audit, &id, None)?;
        }
        Ok(())
    }

    /// A deleted user or group stays in no binding (nothing is logged: the deletion is).
    pub(super) fn forget_in_bindings(&mut self, member: &Member) {
        let holding: Vec<String> = self
            .resource_sets
            .values()
            .filter(|set| {
                set.bindings
                    .iter()
                    .any(|b| b.members.iter().any(|m| &m.member == member))
            })
            .map(|set| set.id.clone())
            .collect();
        for set_id in holding {
            if let Some(set) = self.resource_sets.get_mut(&set_id) {
                for binding in &mut set.bindings {
                    binding.members.retain(|m| &m.member != member);
                }
                set.bindings.retain(|binding| !binding.members.is_empty());
            }
        }
    }

    /// The custom roles bound to a group itself, as its role listing shows them.
    pub fn group_custom_roles(&self, group_id: &str) -> Vec<HeldRole<'_>> {
        let Some(group) = self.groups.get(group_id) else {
            return Vec::new();
        };
        let wanted = Member::Group(group_id.to_string());
        let mut held = Vec::new();
        for resource_set in self.resource_sets.values() {
            for binding in &resource_set.bindings {
                let Some(role) = self.custom_roles.get(&binding.role_id) else {
                    continue;
                };
                held.extend(
                    binding
                        .members
                        .iter()
                        .filter(|member| member.member == wanted)
                        .map(|member| HeldRole {
                            grant: Grant::Custom {
                                role,
                                resource_set,
                                member,
                            },
                            group: Some(group),
                        }),
                );
            }
        }
        held
    }

    /// The labels of every role a group holds: its standard roles and its custom ones.
    pub(super) fn group_privilege_labels(&self, group_id: &str) -> Vec<String> {
        let mut labels: Vec<String> = self
            .groups
            .get(group_id)
            .map(|group| {
                group
                    .roles
                    .iter()
                    .map(|r| super::role_label(&r.role_type).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let member = Member::Group(group_id.to_string());
        for set in self.resource_sets.values() {
            for binding in &set.bindings {
                if binding.members.iter().any(|m| m.member == member)
                    && let Some(role) = self.custom_roles.get(&binding.role_id)
                {
                    labels.push(role.label.clone());
                }
            }
        }
        labels
    }

    /// `iam.resourceset.bindings.add`/`.delete` ("Admin role assignment is created/deleted ...
    /// information about the new user or group admin assignments for roles associated with
    /// the resource set"), then the principal's own privilege event, since its admin
    /// privileges changed as the catalogue defines `user.account.privilege.grant` and
    /// `group.privilege.grant`.
    fn log_member_change(
        &mut self,
        audit: &Audit,
        set_id: &str,
        role_id: &str,
        member: &Member,
        member_id: &str,
        added: bool,
    ) -> Result<(), ApiError> {
        let set_target = self.find_resource_set(set_id)?.target();
        let role = self.custom_roles.found(role_id, "CustomRole")?;
        let role_target = role.target();
        let role_label = role.label.clone();
        let (principal_target, held, holder) = match member {
            Member::User(id) => (
                self.users.found(id, "User")?.target(),
                self.held_labels(id),
                "User",
            ),
            Member::Group(id) => (
                self.find_group(id)?.target(),
                self.group_privilege_labels(id),
                "Group",
            ),
        };
        let (event_type, message) = if added {
            ("iam.resourceset.bindings.add", "Add resource set bindings")
        } else {
            (
                "iam.resourceset.bindings.delete",
                "Delete resource set bindings",
            )
        };
        self.emit(
            audit,
            event_type,
            message,
            vec![set_target, role_target.clone(), principal_target.clone()],
            json!({ "memberId": member_id }),
        );
        let change = match (added, held.is_empty()) {
            (true, _) => RoleChange::Assigned,
            (false, false) => RoleChange::Unassigned,
            (false, true) => RoleChange::AllRevoked,
        };
        let mut debug = json!({ "privilegeGranted": held.join(", ") });
        if !added {
            debug["privilegeRevoked"] = Value::String(role_label);
        }
        let revoked = matches!(change, RoleChange::AllRevoked);
        let (event_type, message) = match (holder, revoked) {
            ("User", false) => ("user.account.privilege.grant", "Grant user privilege"),
            ("User", true) => ("user.account.privilege.revoke", "Revoke user privilege"),
            (_, false) => ("group.privilege.grant", "Grant group privilege"),
            (_, true) => ("group.privilege.revoke", "Revoke group privilege"),
        };
        let targets = vec![
            principal_target,
            role_change_target(change, holder),
            role_target,
        ];
        self.emit(audit, event_type, message, targets, debug);
        Ok(())
    }
}

//! Admin roles: what each standard role may do (`authorize`), and assigning and unassigning
//! them, with the privilege events Okta logs.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::bindings::Member;
use super::{ApiError, Audit, BindingMember, CustomRole, Group, Org, Principal, ResourceSet, User};
use crate::util::{base32_unpadded, okta_id};

/// The admin privilege an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Nothing: Okta serves the endpoint without a token (`security: []` in its reference).
    Anyone,
    /// Reading anything: any admin role.
    Read,
    /// Creating and changing users: super, org or user admin.
    ManageUsers,
    /// Groups and memberships: those plus group membership admins.
    ManageGroups,
    /// Policies, network zones, API tokens and the org's settings: super or org admin.
    ManageSecurity,
    /// App integrations: super, org or app admin ("Application Administrator", help.okta.com
    /// standard roles).
    ManageApps,
    /// Granting and revoking admin roles: super admin only.
    ManageAdmins,
    /// The Org Creator API: a super admin of the partner org.
    CreateOrgs,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub id: String,
    pub role_type: String,
    pub created: i64,
    pub last_updated: i64,
    pub disable_notifications: bool,
    /// The groups a `USER_ADMIN`, `HELP_DESK_ADMIN` or `GROUP_MEMBERSHIP_ADMIN` assignment is
    /// narrowed to (`role_targets`); empty is the whole org. Absent in older data files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_targets: Vec<String>,
}

/// The standard admin roles that can be assigned to a user, with Okta's labels.
pub const ASSIGNABLE_ROLES: &[(&str, &str)] = &[
    ("SUPER_ADMIN", "Super Administrator"),
    ("ORG_ADMIN", "Organizational Administrator"),
    ("APP_ADMIN", "Application Administrator"),
    ("USER_ADMIN", "Group Administrator"),
    ("HELP_DESK_ADMIN", "Help Desk Administrator"),
    ("READ_ONLY_ADMIN", "Read Only Administrator"),
    (
        "API_ACCESS_MANAGEMENT_ADMIN",
        "API Access Management Administrator",
    ),
    ("REPORT_ADMIN", "Report Administrator"),
    ("GROUP_MEMBERSHIP_ADMIN", "Group Membership Administrator"),
    ("WORKFLOWS_ADMIN", "Workflows Administrator"),
    (
        "ACCESS_CERTIFICATIONS_ADMIN",
        "Access Certifications Administrator",
    ),
    ("ACCESS_REQUESTS_ADMIN", "Access Requests Administrator"),
];

pub fn role_label(role_type: &str) -> &'static str {
    ASSIGNABLE_ROLES
        .iter()
        .find(|(name, _)| *name == role_type)
        .map(|(_, label)| *label)
        .unwrap_or("Administrator")
}

/// Whether standard roles `roles` allow what `need` asks.
fn allows(roles: &[&str], need: Need) -> bool {
    let has = |wanted: &[&str]| roles.iter().any(|role| wanted.contains(role));
    match need {
        Need::Anyone => true,
        Need::Read => !roles.is_empty(),
        Need::ManageUsers => has(&["SUPER_ADMIN", "ORG_ADMIN", "USER_ADMIN"]),
        Need::ManageGroups => has(&[
            "SUPER_ADMIN",
            "ORG_ADMIN",
            "USER_ADMIN",
            "GROUP_MEMBERSHIP_ADMIN",
        ]),
        Need::ManageSecurity => has(&["SUPER_ADMIN", "ORG_ADMIN"]),
        Need::ManageApps => has(&["SUPER_ADMIN", "ORG_ADMIN", "APP_ADMIN"]),
        Need::ManageAdmins | Need::CreateOrgs => has(&["SUPER_ADMIN"]),
    }
}

/// What gives a user an admin role: a standard role assignment (its own or a group's), or a
/// custom role bound to it (or to a group of it) over a resource set.
pub enum Grant<'a> {
    Standard(&'a RoleAssignment),
    Custom {
        role: &'a CustomRole,
        resource_set: &'a ResourceSet,
        member: &'a BindingMember,
    },
}

/// One admin role a user holds, and how: its own, or a group's it is a member of.
pub struct HeldRole<'a> {
    pub grant: Grant<'a>,
    /// The group whose role this is (`assignmentType: GROUP`); `None` for the user's own.
    pub group: Option<&'a Group>,
}

impl HeldRole<'_> {
    /// The assignment's id: the standard assignment's, or the binding member's.
    pub fn id(&self) -> &str {
        match &self.grant {
            Grant::Standard(assignment) => &assignment.id,
            Grant::Custom { member, .. } => &member.id,
        }
    }

    pub fn label(&self) -> &str {
        match &self.grant {
            Grant::Standard(assignment) => role_label(&assignment.role_type),
            Grant::Custom { role, .. } => &role.label,
        }
    }

    /// Whether this role allows `need`. A custom role is judged by its permissions over its
    /// resource set, as far as the emulator's privilege classes go: any custom role reads;
    /// a permission to change users (`okta.users.*` other than `okta.users.read`) over a set
    /// holding all users manages users; one to change groups (`okta.groups.*` other than
    /// `okta.groups.read`) over a set holding all groups manages groups. Nothing else: custom
    /// roles never grant admin roles, security settings or orgs here.
    fn allows(&self, need: Need) -> bool {
        match &self.grant {
            Grant::Standard(assignment) => allows(&[assignment.role_type.as_str()], need),
            Grant::Custom {
                role, resource_set, ..
            } => {
                let changes = |family: &str| {
                    let read = format!("okta.{family}.read");
                    role.permissions
                        .iter()
                        .any(|p| p.label.starts_with(&format!("okta.{family}.")) && p.label != read)
                        && resource_set.covers_all(family)
                };
                match need {
                    Need::Anyone | Need::Read => true,
                    Need::ManageUsers => changes("users"),
                    Need::ManageGroups => changes("groups"),
                    Need::ManageApps => changes("apps"),
                    Need::ManageSecurity | Need::ManageAdmins | Need::CreateOrgs => false,
                }
            }
        }
    }
}

impl Org {
    /// Whether the token's owner, or the service app itself, holds an admin role that allows
    /// `need`. Okta checks a service app's own admin roles besides its scopes: "For each service
    /// app you create, you need to assign admin roles to constrain the permissions and resources
    /// of that app". A user's roles are its effective ones: its own and those of every group it
    /// belongs to.
    pub fn authorize(&self, principal: &Principal, need: Need) -> Result<(), ApiError> {
        if need == Need::CreateOrgs && !self.partner {
            return Err(ApiError::FeatureNotEnabled);
        }
        let allowed = match &principal.client_id {
            Some(client_id) => {
                let roles: Vec<&str> = self
                    .app_by_client_id(client_id)
                    .map(|app| app.role_types())
                    .unwrap_or_default();
                allows(&roles, need)
            }
            None => {
                // The user's own roles first: they decide almost every request, and the groups
                // are looked at only when they do not suffice.
                let own: Vec<&str> = self
                    .users
                    .get(&principal.user_id)
                    .map(|user| user.roles.iter().map(|r| r.role_type.as_str()).collect())
                    .unwrap_or_default();
                allows(&own, need)
                    || self
                        .held_roles(&principal.user_id)
                        .iter()
                        .any(|held| held.allows(need))
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Every admin role the user holds, in the order of Okta's listing example
    /// (`StandardAndCustomRolesListResponse`): its own standard assignments, those of its
    /// groups (groups in creation order), then custom roles bound to it and to its groups.
    pub fn held_roles(&self, user_id: &str) -> Vec<HeldRole<'_>> {
        let Some(user) = self.users.get(user_id) else {
            return Vec::new();
        };
        let mut held: Vec<HeldRole> = user
            .roles
            .iter()
            .map(|assignment| HeldRole {
                grant: Grant::Standard(assignment),
                group: None,
            })
            .collect();
        let groups: Vec<&Group> = self
            .groups
            .values()
            .filter(|group| !group.built_in && group.has_member(user_id))
            .collect();
        for group in &groups {
            held.extend(group.roles.iter().map(|assignment| HeldRole {
                grant: Grant::Standard(assignment),
                group: Some(group),
            }));
        }
        let mut through_groups = Vec::new();
        for resource_set in self.resource_sets.values() {
            for binding in &resource_set.bindings {
                let Some(role) = self.custom_roles.get(&binding.role_id) else {
                    continue;
                };
                for member in &binding.members {
                    let custom = Grant::Custom {
                        role,
                        resource_set,
                        member,
                    };
                    match &member.member {
                        Member::User(id) if id == user_id => held.push(HeldRole {
                            grant: custom,
                            group: None,
                        }),
                        Member::Group(id) => {
                            if let Some(group) = groups.iter().find(|g| &g.id == id) {
                                through_groups.push(HeldRole {
                                    grant: custom,
                                    group: Some(group),
                                });
                            }
                        }
                        Member::User(_) => {}
                    }
                }
            }
        }
        held.extend(through_groups);
        held
    }

    /// The labels of the roles the user holds now, own and through groups, as the privilege
    /// events' debug data lists them (Okta: "The list of current privileges contain both
    /// individually assigned roles as well as the ones granted to the user through their group
    /// membership").
    pub(super) fn held_labels(&self, user_id: &str) -> Vec<String> {
        self.held_roles(user_id)
            .iter()
            .map(|held| held.label().to_string())
            .collect()
    }

    pub fn assign_role(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        role_type: &str,
        disable_notifications: bool,
    ) -> Result<(&User, usize), ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        check_role_type(role_type)?;
        if role_type == "CUSTOM" {
            return Err(ApiError::invalid(
                "type: a CUSTOM assignment needs role and resource-set",
            ));
        }
        let user = self.users.found(&user_id, "User")?;
        if user.roles.iter().any(|role| role.role_type == role_type) {
            return Err(ApiError::DuplicateRole);
        }
        let id = new_assignment_id(role_type, "ra1");
        let now = audit.now;
        let user = self.users.found_mut(&user_id, "User")?;
        user.roles.push(RoleAssignment {
            id: id.clone(),
            role_type: role_type.to_string(),
            created: now,
            last_updated: now,
            disable_notifications,
            group_targets: Vec::new(),
        });
        let index = user.roles.len() - 1;
        let user_target = user.target();
        let held = self.held_labels(&user_id);
        // `disableNotifications` is the emulator's own addition to the debug data, so tests can
        // see whether the grant asked Okta not to e-mail the new admin.
        let debug = json!({
            "privilegeGranted": held.join(", "),
            "disableNotifications": disable_notifications,
        });
        let targets = vec![
            user_target,
            role_change_target(RoleChange::Assigned, "User"),
            json!({ "id": id, "type": "ROLE", "alternateId": id, "displayName": role_label(role_type), "detailEntry": null }),
        ];
        self.emit(
            audit,
            "user.account.privilege.grant",
            "Grant user privilege",
            targets,
            debug,
        );
        Ok((self.users.found(&user_id, "User")?, index))
    }

    pub fn unassign_role(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        assignment_id: &str,
    ) -> Result<(), ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let own_standard = self
            .users
            .found(&user_id, "User")?
            .roles
            .iter()
            .any(|role| role.id == assignment_id);
        if !own_standard {
            // A custom role bound to the user itself is its assignment too; one held through
            // a group is not.
            let member = Member::User(user_id.clone());
            if self.remove_binding_member(audit, assignment_id, Some(&member))? {
                return Ok(());
            }
        }
        let user = self.users.found_mut(&user_id, "User")?;
        let index = user
            .roles
            .iter()
            .position(|role| role.id == assignment_id)
            .ok_or_else(|| ApiError::not_found(assignment_id, "RoleAssignment"))?;
        let removed = user.roles.remove(index);
        user.last_updated = audit.now;
        let user_target = user.target();
        let held = self.held_labels(&user_id);
        let debug = json!({ "privilegeRevoked": role_label(&removed.role_type), "privilegeGranted": held.join(", ") });
        // Okta's catalogue: `privilege.revoke` means "all of user's admin privilege revoked
        // including individually assigned roles as well as the ones granted to the user through
        // their group membership"; removing one role of several, or the last own role of a
        // user whose groups still hold roles, is a `privilege.grant` (the user's privileges
        // changed) whose targets say the role was unassigned.
        let all_revoked = held.is_empty();
        let change = if all_revoked {
            RoleChange::AllRevoked
        } else {
            RoleChange::Unassigned
        };
        let targets = vec![
            user_target,
            role_change_target(change, "User"),
            role_target(&removed),
        ];
        let (event_type, message) = if all_revoked {
            ("user.account.privilege.revoke", "Revoke user privilege")
        } else {
            ("user.account.privilege.grant", "Grant user privilege")
        };
        self.emit(audit, event_type, message, targets, debug);
        Ok(())
    }
}

/// What an admin role event did, which Okta says in a target of its own beside the user (or
/// group) and the role (the event type alone does not: a removal can be a `privilege.grant`).
#[derive(Debug, Clone, Copy)]
pub(super) enum RoleChange {
    Assigned,
    Unassigned,
    AllRevoked,
}

/// The target naming the change; `holder` is `User` or `Group`, whose privileges changed.
pub(super) fn role_change_target(change: RoleChange, holder: &str) -> Value {
    let (kind, display_name) = match change {
        RoleChange::Assigned => ("ROLE_ASSIGNED", "Role Assigned".to_string()),
        RoleChange::Unassigned => ("ROLE_UNASSIGNED", "Role Unassigned".to_string()),
        RoleChange::AllRevoked => (
            "ROLE_UNASSIGNED_ALL_PRIVILEGES_REVOKED",
            format!("All Privileges revoked from {holder}. {holder} has no admin privileges"),
        ),
    };
    json!({ "id": kind, "type": kind, "alternateId": "unknown", "displayName": display_name, "detailEntry": null })
}

/// The target naming the role itself.
pub(super) fn role_target(assignment: &RoleAssignment) -> Value {
    json!({ "id": assignment.id, "type": "ROLE", "alternateId": assignment.id, "displayName": role_label(&assignment.role_type), "detailEntry": null })
}

/// The id Okta gives a new standard role assignment: the roles that take targets are named by
/// their type in unpadded base32 (`IFIFAX2BIRGUSTQ` is `APP_ADMIN`), for users and groups
/// alike; the others get a fresh id, `ra1…` for a user's and `gra…` for a group's (the
/// reference's examples `ra1b8anIk7rx7em7L0g4` and `grasraHPx7i79ajaJ0g3`).
pub(super) fn new_assignment_id(role_type: &str, prefix: &str) -> String {
    match role_type {
        "APP_ADMIN" | "USER_ADMIN" | "HELP_DESK_ADMIN" | "GROUP_MEMBERSHIP_ADMIN" => {
            base32_unpadded(role_type)
        }
        _ => okta_id(prefix),
    }
}

/// Checks a standard role type asked for in an assignment body.
pub(super) fn check_role_type(role_type: &str) -> Result<(), ApiError> {
    if role_type != "CUSTOM" && !ASSIGNABLE_ROLES.iter().any(|(name, _)| *name == role_type) {
        return Err(ApiError::invalid(format!(
            "type: '{role_type}' is not a valid role type"
        )));
    }
    Ok(())
}

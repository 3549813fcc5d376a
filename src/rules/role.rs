//! Okta's standard admin role types, spelled exactly as Okta's API spells them.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// A standard Okta admin role type (the `type` of a role assignment).
///
/// Declared in alphabetical order of Okta's spelling, so the derived `Ord` sorts sets the way a
/// reader scanning Okta's documentation expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminRole {
    AccessCertificationsAdmin,
    AccessRequestsAdmin,
    ApiAccessManagementAdmin,
    AppAdmin,
    GroupMembershipAdmin,
    HelpDeskAdmin,
    /// Still reported when listing older assignments, but no longer assignable.
    MobileAdmin,
    OrgAdmin,
    ReadOnlyAdmin,
    ReportAdmin,
    SuperAdmin,
    UserAdmin,
    WorkflowsAdmin,
}

/// A set of admin roles, ordered so that every rendering of it is deterministic.
pub type RoleSet = BTreeSet<AdminRole>;

impl AdminRole {
    /// Every role type this module knows, assignable or not.
    pub const ALL: [AdminRole; 13] = [
        AdminRole::AccessCertificationsAdmin,
        AdminRole::AccessRequestsAdmin,
        AdminRole::ApiAccessManagementAdmin,
        AdminRole::AppAdmin,
        AdminRole::GroupMembershipAdmin,
        AdminRole::HelpDeskAdmin,
        AdminRole::MobileAdmin,
        AdminRole::OrgAdmin,
        AdminRole::ReadOnlyAdmin,
        AdminRole::ReportAdmin,
        AdminRole::SuperAdmin,
        AdminRole::UserAdmin,
        AdminRole::WorkflowsAdmin,
    ];

    /// Okta's exact spelling, as sent in `{"type": ...}` of a role assignment.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminRole::AccessCertificationsAdmin => "ACCESS_CERTIFICATIONS_ADMIN",
            AdminRole::AccessRequestsAdmin => "ACCESS_REQUESTS_ADMIN",
            AdminRole::ApiAccessManagementAdmin => "API_ACCESS_MANAGEMENT_ADMIN",
            AdminRole::AppAdmin => "APP_ADMIN",
            AdminRole::GroupMembershipAdmin => "GROUP_MEMBERSHIP_ADMIN",
            AdminRole::HelpDeskAdmin => "HELP_DESK_ADMIN",
            AdminRole::MobileAdmin => "MOBILE_ADMIN",
            AdminRole::OrgAdmin => "ORG_ADMIN",
            AdminRole::ReadOnlyAdmin => "READ_ONLY_ADMIN",
            AdminRole::ReportAdmin => "REPORT_ADMIN",
            AdminRole::SuperAdmin => "SUPER_ADMIN",
            AdminRole::UserAdmin => "USER_ADMIN",
            AdminRole::WorkflowsAdmin => "WORKFLOWS_ADMIN",
        }
    }

    /// The English name Okta's Admin Console shows. For documentation only: Okta's labels drift
    /// between releases, so nothing may compare them.
    pub fn label(self) -> &'static str {
        match self {
            AdminRole::AccessCertificationsAdmin => "Access Certifications Administrator",
            AdminRole::AccessRequestsAdmin => "Access Requests Administrator",
            AdminRole::ApiAccessManagementAdmin => "API Access Management Administrator",
            AdminRole::AppAdmin => "Application Administrator",
            AdminRole::GroupMembershipAdmin => "Group Membership Administrator",
            AdminRole::HelpDeskAdmin => "Help Desk Administrator",
            AdminRole::MobileAdmin => "Mobile Administrator",
            AdminRole::OrgAdmin => "Organization Administrator",
            AdminRole::ReadOnlyAdmin => "Read-Only Administrator",
            AdminRole::ReportAdmin => "Report Administrator",
            AdminRole::SuperAdmin => "Super Administrator",
            AdminRole::UserAdmin => "User Administrator",
            AdminRole::WorkflowsAdmin => "Workflows Administrator",
        }
    }

    /// Whether Okta accepts this type in a new role assignment. `MOBILE_ADMIN` is only ever seen
    /// on old assignments: Okta's assignment schema dropped it.
    pub fn is_assignable(self) -> bool {
        self != AdminRole::MobileAdmin
    }

    /// The role types a configuration may declare, in order.
    pub fn assignable() -> impl Iterator<Item = AdminRole> {
        AdminRole::ALL
            .into_iter()
            .filter(|role| role.is_assignable())
    }

    /// The assignable role types as one comma-separated list, for error messages and docs.
    pub fn assignable_list() -> String {
        AdminRole::assignable()
            .map(AdminRole::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for AdminRole {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A role type string that is not one of Okta's standard admin role types.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown admin role type {given:?}{}; valid role types are {}", suggestion_suffix(.suggestion), AdminRole::assignable_list())]
pub struct UnknownRole {
    pub given: String,
    /// The role the string most likely meant (same letters, other case or separators).
    pub suggestion: Option<AdminRole>,
}

fn suggestion_suffix(suggestion: &Option<AdminRole>) -> String {
    match suggestion {
        Some(role) => format!(" (did you mean {role}?)"),
        None => String::new(),
    }
}

impl FromStr for AdminRole {
    type Err = UnknownRole;

    fn from_str(given: &str) -> Result<AdminRole, UnknownRole> {
        if let Some(role) = AdminRole::ALL
            .into_iter()
            .find(|role| role.as_str() == given)
        {
            return Ok(role);
        }
        // Okta's names are exact; a near miss is still an error, but one that says the fix.
        let normalized: String = given
            .trim()
            .chars()
            .map(|c| {
                if c == '-' || c == ' ' {
                    '_'
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
        let suggestion = AdminRole::assignable().find(|role| {
            role.as_str() == normalized || role.as_str().strip_suffix("_ADMIN") == Some(&normalized)
        });
        Err(UnknownRole {
            given: given.to_owned(),
            suggestion,
        })
    }
}

/// Renders a role set as Okta's names joined by `" + "`, e.g. `READ_ONLY_ADMIN + APP_ADMIN`
/// ordered as stored.
pub fn render_roles(roles: &RoleSet) -> String {
    if roles.is_empty() {
        return "(none)".to_owned();
    }
    roles
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// What the provider verifies of an account's admin privileges, and what it repairs or refuses,
/// for the resource's documentation (the rules below decide it; the refresh's reads are the
/// provider's, described beside them).
pub const EFFECTIVE_PRIVILEGES_DOCUMENTATION: &str = "**Effective privileges.** What `admin_roles` constrains is everything the account can do as an admin: roles assigned to it, roles of every group it is a member of (Okta lists them with `assignmentType: GROUP` and the group as `_links.assignee`), and custom roles over resource sets (`type: CUSTOM`), whether assigned to it, bound to it as a binding's member, or bound to one of its groups. A role `admin_roles` requires still counts as held when the account holds it only through a group. Any other privilege is drift (G12), whichever way it came, and `drift` says how it is held.\n\nThe repair removes what is the provider's own to remove: a standard or custom role assigned to the account itself (its own assignment, deleted), and a standard role granted to the service account group. That group is the provider's own: it exists to be targeted by the baseline's policies, grants no role by design, and a role on it escalates every managed account of the org at once, so the repair removes the role from the group (the plan shows it); an account of another kind that needed that role is given it directly by its own next repair. A role held through any other group, and a custom role bound to a group (the service account group included: a binding belongs to whoever made the resource set), are refused: the plan fails, changes nothing, and names the group (id and name) or the binding (resource set and custom role) and how to remove it (take the account out of the group, or the role off the group, or the group out of the binding, with the Admin Console page and the API call), since taking apart someone else's group or binding is not the provider's call.\n\n**Which events the refresh looks for.** The refresh's one System Log query asks for every event that changes an account's effective privileges (`user.account.privilege.grant` and `.revoke`, `group.privilege.grant` and `.revoke`, `group.user_membership.add` and `.remove`, `iam.resourceset.bindings.add` and `.delete`) and for the baseline's policy, rule and zone events. An account's roles are read directly (one call, and one per group it holds a role through, to name the group) when an event names the account, when an event cannot be tied to accounts without calls (a group's role grant, a binding naming a group), when its last verification is younger than `log_lag_window_seconds`, or when the log gives no verdict; never assumed unchanged for want of an answer.";

/// How an account holds an admin role: what decides whether the provider may take it away.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RolePath {
    /// Assigned to the account itself (`assignmentType: USER`), a standard role or a custom
    /// role's assignment (a binding whose member is the account): unassigning it is the
    /// provider's to do.
    Direct,
    /// Granted to the service account group, the provider's own group, so held by every
    /// managed account of the org.
    ServiceAccountGroup { group_id: String },
    /// Granted to another group the account is a member of (`assignmentType: GROUP`, the group
    /// named by the assignment's `_links.assignee`); for a custom role, the group is a member
    /// of the role's binding. Someone else's group: a person decides.
    Group {
        group_id: String,
        /// Read when the role is a finding, for the message; `None` when not read.
        group_name: Option<String>,
    },
}

/// A custom role as one assignment holds it: the role over a resource set (Okta's `role` and
/// `resource-set` of the assignment).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CustomGrant {
    /// The custom role's id (`cr0...`).
    pub role_id: String,
    /// Okta's label of the role, for messages only.
    pub label: Option<String>,
    /// The resource set's id (`iam...`): with the role, it names the binding.
    pub resource_set: String,
}

/// One admin role an account holds, and how: the account's *effective* privileges are every
/// one of these, whatever the path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HeldRole {
    /// Okta's `type`: a standard role's spelling, or `CUSTOM`.
    pub role_type: String,
    /// For a custom role, which one and over which resource set.
    pub custom: Option<CustomGrant>,
    pub path: RolePath,
}

impl HeldRole {
    /// A standard role assigned to the account itself.
    pub fn direct(role_type: impl Into<String>) -> HeldRole {
        HeldRole {
            role_type: role_type.into(),
            custom: None,
            path: RolePath::Direct,
        }
    }

    /// The standard role this is, if it is one.
    pub fn standard(&self) -> Option<AdminRole> {
        match self.custom {
            Some(_) => None,
            None => self.role_type.parse().ok(),
        }
    }

    /// The role in words: Okta's type, or the custom role with its resource set.
    pub fn name(&self) -> String {
        match &self.custom {
            Some(custom) => {
                let label = custom
                    .label
                    .as_deref()
                    .map(|label| format!("{label:?} "))
                    .unwrap_or_default();
                format!(
                    "custom role {label}({}) on resource set {}",
                    custom.role_id, custom.resource_set
                )
            }
            None => self.role_type.clone(),
        }
    }

    /// How the account holds it, in words ("assigned directly", "through group ...").
    pub fn how(&self) -> String {
        match &self.path {
            RolePath::Direct => "assigned directly".to_owned(),
            RolePath::ServiceAccountGroup { group_id } => {
                format!("through the service account group ({group_id})")
            }
            RolePath::Group {
                group_id,
                group_name,
            } => format!(
                "through group {}",
                group_words(group_id, group_name.as_deref())
            ),
        }
    }
}

/// A group as messages name it: `"Name" (id)`, or its id alone when its name was not read.
pub fn group_words(group_id: &str, group_name: Option<&str>) -> String {
    match group_name {
        Some(name) => format!("{name:?} ({group_id})"),
        None => group_id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_okta_spelling() {
        for role in AdminRole::ALL {
            assert_eq!(role.as_str().parse::<AdminRole>(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
        }
    }

    #[test]
    fn okta_spellings_are_exact() {
        let expected = [
            "ACCESS_CERTIFICATIONS_ADMIN",
            "ACCESS_REQUESTS_ADMIN",
            "API_ACCESS_MANAGEMENT_ADMIN",
            "APP_ADMIN",
            "GROUP_MEMBERSHIP_ADMIN",
            "HELP_DESK_ADMIN",
            "MOBILE_ADMIN",
            "ORG_ADMIN",
            "READ_ONLY_ADMIN",
            "REPORT_ADMIN",
            "SUPER_ADMIN",
            "USER_ADMIN",
            "WORKFLOWS_ADMIN",
        ];
        let actual: Vec<&str> = AdminRole::ALL.iter().map(|role| role.as_str()).collect();
        assert_eq!(actual, expected);
        // Declaration order is alphabetical, so sets render sorted.
        let mut sorted = expected.to_vec();
        sorted.sort_unstable();
        assert_eq!(actual, sorted);
    }

    #[test]
    fn only_mobile_admin_is_not_assignable() {
        let not_assignable: Vec<AdminRole> = AdminRole::ALL
            .into_iter()
            .filter(|role| !role.is_assignable())
            .collect();
        assert_eq!(not_assignable, [AdminRole::MobileAdmin]);
        assert_eq!(AdminRole::assignable().count(), 12);
        assert!(!AdminRole::assignable_list().contains("MOBILE_ADMIN"));
    }

    #[test]
    fn unknown_role_error_lists_every_assignable_role_and_has_no_trailing_period() {
        let error = "NOT_A_ROLE".parse::<AdminRole>().unwrap_err();
        let message = error.to_string();
        assert!(message.contains("\"NOT_A_ROLE\""), "{message}");
        for role in AdminRole::assignable() {
            assert!(message.contains(role.as_str()), "{message} lacks {role}");
        }
        assert!(!message.ends_with('.'), "{message}");
        assert_eq!(error.suggestion, None);
    }

    #[test]
    fn near_misses_are_rejected_with_a_suggestion() {
        let cases = [
            ("super_admin", AdminRole::SuperAdmin),
            ("Super-Admin", AdminRole::SuperAdmin),
            ("read only admin", AdminRole::ReadOnlyAdmin),
            ("APP", AdminRole::AppAdmin),
            (" APP_ADMIN ", AdminRole::AppAdmin),
        ];
        for (given, meant) in cases {
            let error = given.parse::<AdminRole>().unwrap_err();
            assert_eq!(error.suggestion, Some(meant), "{given}");
            assert!(
                error
                    .to_string()
                    .contains(&format!("did you mean {meant}?"))
            );
        }
    }

    #[test]
    fn custom_is_not_a_standard_role() {
        assert!("CUSTOM".parse::<AdminRole>().is_err());
        assert!("".parse::<AdminRole>().is_err());
    }

    #[test]
    fn role_sets_render_in_order() {
        let roles: RoleSet = [AdminRole::ReadOnlyAdmin, AdminRole::AppAdmin].into();
        assert_eq!(render_roles(&roles), "APP_ADMIN + READ_ONLY_ADMIN");
        assert_eq!(render_roles(&RoleSet::new()), "(none)");
    }
}

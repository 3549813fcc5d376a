//! An account's role listing as the rules see it: each assignment's path (the account's own,
//! through the service account group, through another group) from its `assignmentType` and
//! `_links.assignee`, and a custom role's role and resource set. Pure: no calls.

use crate::okta::RoleAssignment;
use crate::rules::role::{CustomGrant, HeldRole, RolePath};

/// What stands for the group of a `GROUP` assignment whose answer names none.
pub const UNNAMED_GROUP: &str = "(a group Okta's answer does not name)";

/// `assignments` (of one user's listing) as the rules see them: the path of each from its
/// `assignmentType` and `_links.assignee`, the service account group told from other groups.
/// A role through a group the answer does not name is held through "another group" (never
/// assumed to be the provider's own).
pub fn held_roles(assignments: &[RoleAssignment], service_group_id: &str) -> Vec<HeldRole> {
    assignments
        .iter()
        .map(|assignment| {
            let path = if assignment.is_direct() {
                RolePath::Direct
            } else {
                match assignment.assignee_group_id() {
                    Some(id) if !service_group_id.is_empty() && id == service_group_id => {
                        RolePath::ServiceAccountGroup {
                            group_id: id.to_owned(),
                        }
                    }
                    other => RolePath::Group {
                        group_id: other.unwrap_or(UNNAMED_GROUP).to_owned(),
                        group_name: None,
                    },
                }
            };
            let custom = match (&assignment.role, &assignment.resource_set) {
                (Some(role_id), Some(resource_set)) if assignment.is_custom() => {
                    Some(CustomGrant {
                        role_id: role_id.clone(),
                        label: assignment.label.clone(),
                        resource_set: resource_set.clone(),
                    })
                }
                _ => None,
            };
            HeldRole {
                role_type: assignment.role_type.clone(),
                custom,
                path,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_assignment_keeps_its_path_and_the_service_account_group_is_told_apart() {
        let assignments: Vec<RoleAssignment> = serde_json::from_str(
            r#"[{"id":"ra1","type":"READ_ONLY_ADMIN","assignmentType":"USER"},
                {"id":"gra1","type":"SUPER_ADMIN","assignmentType":"GROUP",
                 "_links":{"assignee":{"href":"https://x/api/v1/groups/00gother"}}},
                {"id":"gra2","type":"REPORT_ADMIN","assignmentType":"GROUP",
                 "_links":{"assignee":{"href":"https://x/api/v1/groups/00gsvc"}}},
                {"id":"gra3","type":"APP_ADMIN","assignmentType":"GROUP"},
                {"id":"irb1","type":"CUSTOM","role":"cr0a","label":"Creator","resource-set":"iam1",
                 "assignmentType":"USER"}]"#,
        )
        .unwrap();
        let roles = held_roles(&assignments, "00gsvc");
        assert_eq!(roles[0], HeldRole::direct("READ_ONLY_ADMIN"));
        assert_eq!(
            roles[1].path,
            RolePath::Group {
                group_id: "00gother".into(),
                group_name: None
            }
        );
        assert_eq!(
            roles[2].path,
            RolePath::ServiceAccountGroup {
                group_id: "00gsvc".into()
            }
        );
        // A group the answer does not name is never taken for the provider's own.
        assert!(
            matches!(&roles[3].path, RolePath::Group { group_id, .. } if group_id == UNNAMED_GROUP)
        );
        assert_eq!(roles[4].path, RolePath::Direct);
        assert_eq!(
            roles[4].custom,
            Some(CustomGrant {
                role_id: "cr0a".into(),
                label: Some("Creator".into()),
                resource_set: "iam1".into()
            })
        );
    }
}

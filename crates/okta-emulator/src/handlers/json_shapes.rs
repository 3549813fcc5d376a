//! The JSON of a user and of a group as Okta returns them. Several families answer with them
//! (a group's members are users, a user's groups and a role's group targets are groups), so the
//! shapes live here rather than in either family's handlers.

use serde_json::{Map, Value, json};

use super::{href, post_link};
use crate::store::{Group, User, UserStatus};
use crate::util::format_millis;

/// A user as Okta returns it; `detailed` adds the lifecycle links of its current status (lists
/// carry only `self`).
pub(super) fn user_json(org_url: &str, user: &User, detailed: bool) -> Value {
    let self_url = format!("{org_url}/api/v1/users/{}", user.id);
    let mut links = Map::new();
    links.insert("self".to_string(), href(self_url.clone()));
    if detailed {
        let lifecycle = |name: &str| post_link(format!("{self_url}/lifecycle/{name}"));
        let available: &[(&str, &str)] = match user.status {
            // Every recorded STAGED user (okta-sdk-python) links activate and not deactivate.
            UserStatus::Staged => &[("activate", "activate")],
            UserStatus::Provisioned => &[
                ("reactivate", "reactivate"),
                ("resetPassword", "reset_password"),
                ("deactivate", "deactivate"),
            ],
            UserStatus::Active => &[
                ("suspend", "suspend"),
                ("resetPassword", "reset_password"),
                ("expirePassword", "expire_password"),
                ("deactivate", "deactivate"),
            ],
            UserStatus::PasswordExpired | UserStatus::Recovery => &[
                ("resetPassword", "reset_password"),
                ("deactivate", "deactivate"),
            ],
            UserStatus::LockedOut => &[("unlock", "unlock"), ("deactivate", "deactivate")],
            UserStatus::Suspended => &[("unsuspend", "unsuspend"), ("deactivate", "deactivate")],
            UserStatus::Deprovisioned => &[("activate", "activate")],
        };
        for (name, path) in available {
            links.insert(name.to_string(), lifecycle(path));
        }
        links.insert(
            "schema".to_string(),
            href(format!("{org_url}/api/v1/meta/schemas/user/default")),
        );
        links.insert(
            "type".to_string(),
            href(format!("{org_url}/api/v1/meta/types/user/{}", user.type_id)),
        );
    }
    let mut credentials = Map::new();
    if user.has_password {
        credentials.insert("password".to_string(), json!({}));
    }
    // Okta returns the question and never the answer.
    match &user.recovery_question {
        Some(question) => {
            credentials.insert(
                "recovery_question".to_string(),
                json!({ "question": question }),
            );
        }
        // A data file from before the question's text was kept.
        None if user.has_recovery_question => {
            credentials.insert("recovery_question".to_string(), json!({ "question": null }));
        }
        None => {}
    }
    credentials.insert(
        "provider".to_string(),
        json!({ "type": "OKTA", "name": "OKTA" }),
    );
    json!({
        "id": user.id,
        "status": user.status.as_str(),
        "created": format_millis(user.created),
        "activated": user.activated.map(format_millis),
        "statusChanged": user.status_changed.map(format_millis),
        "lastLogin": null,
        "lastUpdated": format_millis(user.last_updated),
        "passwordChanged": user.password_changed.map(format_millis),
        "type": { "id": user.type_id },
        "profile": user.profile,
        "credentials": credentials,
        "_links": links,
    })
}

/// A group as Okta returns it.
pub(super) fn group_json(org_url: &str, group: &Group) -> Value {
    let self_url = format!("{org_url}/api/v1/groups/{}", group.id);
    json!({
        "id": group.id,
        "created": format_millis(group.created),
        "lastUpdated": format_millis(group.last_updated),
        "lastMembershipUpdated": format_millis(group.last_membership_updated),
        "objectClass": ["okta:user_group"],
        "type": if group.built_in { "BUILT_IN" } else { "OKTA_GROUP" },
        "profile": { "name": group.name, "description": group.description },
        "_links": {
            "logo": [
                { "name": "medium", "href": format!("{org_url}/assets/img/logos/groups/okta-medium.png"), "type": "image/png" },
                { "name": "large", "href": format!("{org_url}/assets/img/logos/groups/okta-large.png"), "type": "image/png" }
            ],
            "users": href(format!("{self_url}/users")),
            "apps": href(format!("{self_url}/apps")),
        },
    })
}

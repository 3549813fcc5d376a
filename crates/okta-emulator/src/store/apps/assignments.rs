//! Who an app is assigned to: users (`/api/v1/apps/{appId}/users`, each with its app user name)
//! and groups (`/api/v1/apps/{appId}/groups`, in priority order). An assignment of a user or
//! group deleted since is not shown (it goes with them in Okta).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::App;
use crate::store::{ApiError, Audit, Org};

/// Assignments per app at most (users and groups alike): a bound on one row's size, far above
/// what a test assigns.
const MAX_ASSIGNMENTS: usize = 10_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppUser {
    /// The user's id.
    pub id: String,
    /// `credentials.userName`: the user's login unless the assignment names another.
    pub user_name: String,
    pub profile: Value,
    pub created: i64,
    pub last_updated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppGroup {
    /// The group's id.
    pub id: String,
    pub profile: Value,
    pub last_updated: i64,
}

/// The user name and profile an assignment request gives, if any.
pub struct AppUserChange {
    pub user_name: Option<String>,
    pub profile: Option<Value>,
}

impl App {
    /// The assigned users that still exist, in assignment order.
    pub fn assigned_users<'a>(&'a self, org: &'a Org) -> impl Iterator<Item = &'a AppUser> {
        self.users
            .iter()
            .filter(|assigned| org.users.get(&assigned.id).is_some())
    }

    /// The assigned groups that still exist, by priority (0 first).
    pub fn assigned_groups<'a>(
        &'a self,
        org: &'a Org,
    ) -> impl Iterator<Item = (usize, &'a AppGroup)> {
        self.groups
            .iter()
            .filter(|assigned| org.groups.get(&assigned.id).is_some())
            .enumerate()
    }
}

fn check_profile(profile: &Option<Value>) -> Result<(), ApiError> {
    match profile {
        None | Some(Value::Object(_)) => Ok(()),
        Some(_) => Err(ApiError::invalid("profile: an object")),
    }
}

impl Org {
    pub fn app_user(&self, app_id: &str, user_id: &str) -> Result<&AppUser, ApiError> {
        let app = self.app(app_id)?;
        app.assigned_users(self)
            .find(|assigned| assigned.id == user_id)
            .ok_or_else(|| ApiError::not_found(user_id, "AppUser"))
    }

    /// Assigns a user (`scope: USER`); a user assigned already is Okta's 409 E0000062.
    pub fn assign_user_to_app(
        &mut self,
        audit: &Audit,
        app_id: &str,
        user_id: &str,
        change: AppUserChange,
    ) -> Result<&AppUser, ApiError> {
        check_profile(&change.profile)?;
        let login = self.users.found(user_id, "User")?.login().to_string();
        let app = self.app(app_id)?;
        if app
            .assigned_users(self)
            .any(|assigned| assigned.id == user_id)
        {
            return Err(ApiError::DuplicateAppAssignment);
        }
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        app.users.retain(|assigned| assigned.id != user_id);
        if app.users.len() >= MAX_ASSIGNMENTS {
            return Err(ApiError::invalid(format!(
                "an app takes at most {MAX_ASSIGNMENTS} users"
            )));
        }
        app.users.push(AppUser {
            id: user_id.to_string(),
            user_name: change.user_name.unwrap_or(login),
            profile: change.profile.unwrap_or_else(|| json!({})),
            created: audit.now,
            last_updated: audit.now,
        });
        let target = app.target();
        let user_target = self.users.found(user_id, "User")?.target();
        self.emit(
            audit,
            "application.user_membership.add",
            "Add user to application membership",
            vec![user_target, target],
            json!({}),
        );
        self.app_user(app_id, user_id)
    }

    /// `POST /api/v1/apps/{appId}/users/{userId}`: a new user name or profile.
    pub fn update_app_user(
        &mut self,
        audit: &Audit,
        app_id: &str,
        user_id: &str,
        change: AppUserChange,
    ) -> Result<&AppUser, ApiError> {
        check_profile(&change.profile)?;
        self.app_user(app_id, user_id)?;
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        if let Some(assigned) = app.users.iter_mut().find(|assigned| assigned.id == user_id) {
            if let Some(user_name) = change.user_name {
                assigned.user_name = user_name;
            }
            if let Some(profile) = change.profile {
                assigned.profile = profile;
            }
            assigned.last_updated = audit.now;
        }
        self.app_user(app_id, user_id)
    }

    pub fn unassign_user_from_app(
        &mut self,
        audit: &Audit,
        app_id: &str,
        user_id: &str,
    ) -> Result<(), ApiError> {
        self.app_user(app_id, user_id)?;
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        app.users.retain(|assigned| assigned.id != user_id);
        let target = app.target();
        let user_target = self.users.found(user_id, "User")?.target();
        self.emit(
            audit,
            "application.user_membership.remove",
            "Remove user from application membership",
            vec![user_target, target],
            json!({}),
        );
        Ok(())
    }

    /// The group's assignment and its priority.
    pub fn app_group(&self, app_id: &str, group_id: &str) -> Result<(usize, &AppGroup), ApiError> {
        let app = self.app(app_id)?;
        app.assigned_groups(self)
            .find(|(_, assigned)| assigned.id == group_id)
            .ok_or_else(|| ApiError::not_found(group_id, "AppGroup"))
    }

    /// `PUT /api/v1/apps/{appId}/groups/{groupId}`: assigns the group at `priority` (the others
    /// move down; last when absent), or moves and updates an assignment that exists.
    pub fn assign_group_to_app(
        &mut self,
        audit: &Audit,
        app_id: &str,
        group_id: &str,
        priority: Option<usize>,
        profile: Option<Value>,
    ) -> Result<(usize, &AppGroup), ApiError> {
        check_profile(&profile)?;
        self.groups.found(group_id, "UserGroup")?;
        self.app(app_id)?;
        let live: Vec<String> = self
            .app(app_id)?
            .assigned_groups(self)
            .map(|(_, assigned)| assigned.id.clone())
            .collect();
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        app.groups.retain(|assigned| live.contains(&assigned.id));
        let existing = app
            .groups
            .iter()
            .position(|assigned| assigned.id == group_id)
            .map(|index| app.groups.remove(index));
        if existing.is_none() && app.groups.len() >= MAX_ASSIGNMENTS {
            return Err(ApiError::invalid(format!(
                "an app takes at most {MAX_ASSIGNMENTS} groups"
            )));
        }
        let assignment = AppGroup {
            id: group_id.to_string(),
            profile: profile
                .or_else(|| existing.as_ref().map(|old| old.profile.clone()))
                .unwrap_or_else(|| json!({})),
            last_updated: audit.now,
        };
        let index = priority.unwrap_or(app.groups.len()).min(app.groups.len());
        app.groups.insert(index, assignment);
        let target = app.target();
        if existing.is_none() {
            let group_target = self.groups.found(group_id, "UserGroup")?.target();
            self.emit(
                audit,
                "group.application_assignment.add",
                "Add assigned application to group",
                vec![target, group_target],
                json!({}),
            );
        }
        self.app_group(app_id, group_id)
    }

    pub fn unassign_group_from_app(
        &mut self,
        audit: &Audit,
        app_id: &str,
        group_id: &str,
    ) -> Result<(), ApiError> {
        self.app_group(app_id, group_id)?;
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        app.groups.retain(|assigned| assigned.id != group_id);
        let target = app.target();
        let group_target = self.groups.found(group_id, "UserGroup")?.target();
        self.emit(
            audit,
            "group.application_assignment.remove",
            "Remove assigned application from group",
            vec![group_target, target],
            json!({}),
        );
        Ok(())
    }

    /// The active apps a user is assigned to, directly or through a group it belongs to, in the
    /// apps' creation order.
    pub fn apps_of_user(&self, user_id: &str) -> Vec<&App> {
        let groups: Vec<&str> = self
            .groups_of(user_id)
            .iter()
            .map(|group| group.id.as_str())
            .collect();
        self.service_apps
            .values()
            .filter(|app| app.status == super::AppStatus::Active)
            .filter(|app| {
                app.users.iter().any(|assigned| assigned.id == user_id)
                    || app
                        .groups
                        .iter()
                        .any(|assigned| groups.contains(&assigned.id.as_str()))
            })
            .collect()
    }

    /// The apps a group is assigned to, in the apps' creation order.
    pub fn apps_of_group(&self, group_id: &str) -> Result<Vec<&App>, ApiError> {
        self.groups.found(group_id, "UserGroup")?;
        Ok(self
            .service_apps
            .values()
            .filter(|app| app.groups.iter().any(|assigned| assigned.id == group_id))
            .collect())
    }
}

//! Custom admin roles (`/api/v1/iam/roles`): a label, a description and a list of permissions.
//! A custom role grants nothing by itself; a binding to a resource set does (`bindings`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::table::Row;
use super::{ApiError, Audit, Org, validation};
use crate::util::okta_id;

/// Okta's limits: "You can create a maximum of 100 roles for an org" (help.okta.com, custom
/// admin roles). The others bound what one request may store.
pub const MAX_CUSTOM_ROLES: usize = 100;
pub const MAX_PERMISSIONS: usize = 200;
pub const MAX_LABEL_CHARS: usize = 255;
pub const MAX_DESCRIPTION_CHARS: usize = 1_024;
const MAX_PERMISSION_CHARS: usize = 128;
/// The serialised size of a permission's `conditions` the emulator keeps.
const MAX_CONDITIONS_BYTES: usize = 4_096;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Permission {
    pub label: String,
    pub created: i64,
    pub last_updated: i64,
    /// Okta's `include`/`exclude` conditions, kept as sent.
    pub conditions: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomRole {
    pub id: String,
    pub label: String,
    pub description: String,
    pub created: i64,
    pub last_updated: i64,
    pub permissions: Vec<Permission>,
}

impl Row for CustomRole {
    fn id(&self) -> &str {
        &self.id
    }
}

impl CustomRole {
    pub(super) fn target(&self) -> Value {
        json!({ "id": self.id, "type": "CUSTOM_ROLE", "alternateId": self.label, "displayName": self.label, "detailEntry": null })
    }

    pub fn has_permission(&self, label: &str) -> bool {
        self.permissions.iter().any(|p| p.label == label)
    }
}

/// A permission name as Okta writes them (`okta.users.manage`): `okta.` then letters, digits,
/// dots and underscores.
fn check_permission(label: &str) -> Result<(), String> {
    let well_formed = label.len() <= MAX_PERMISSION_CHARS
        && label.starts_with("okta.")
        && label.len() > "okta.".len()
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "permissions: '{}' is not a valid permission",
            truncate(label)
        ))
    }
}

fn truncate(text: &str) -> String {
    text.chars().take(64).collect()
}

/// Checks a label and description shared by custom roles and resource sets.
pub(super) fn check_label(label: &str, description: &str, causes: &mut Vec<String>) {
    if label.trim().is_empty() {
        causes.push("label: The field cannot be left blank".to_string());
    } else if label.chars().count() > MAX_LABEL_CHARS {
        causes.push(format!(
            "label: The field must be at most {MAX_LABEL_CHARS} characters"
        ));
    }
    if description.trim().is_empty() {
        causes.push("description: The field cannot be left blank".to_string());
    } else if description.chars().count() > MAX_DESCRIPTION_CHARS {
        causes.push(format!(
            "description: The field must be at most {MAX_DESCRIPTION_CHARS} characters"
        ));
    }
}

impl Org {
    /// A custom role by id or label, as Okta's `{roleIdOrLabel}` paths take either.
    pub fn find_custom_role(&self, id_or_label: &str) -> Result<&CustomRole, ApiError> {
        self.custom_roles
            .get(id_or_label)
            .or_else(|| {
                self.custom_roles
                    .values()
                    .find(|role| role.label == id_or_label)
            })
            .ok_or_else(|| ApiError::not_found(id_or_label, "CustomRole"))
    }

    fn custom_role_id(&self, id_or_label: &str) -> Result<String, ApiError> {
        self.find_custom_role(id_or_label)
            .map(|role| role.id.clone())
    }

    fn check_role_label_free(&self, label: &str, except: Option<&str>) -> Result<(), ApiError> {
        let taken = self
            .custom_roles
            .values()
            .any(|role| Some(role.id.as_str()) != except && role.label == label);
        if taken {
            return Err(validation(vec![
                "label: A role with this label already exists".to_string(),
            ]));
        }
        Ok(())
    }

    pub fn create_custom_role(
        &mut self,
        audit: &Audit,
        label: String,
        description: String,
        permissions: Vec<String>,
    ) -> Result<&CustomRole, ApiError> {
        let mut causes = Vec::new();
        check_label(&label, &description, &mut causes);
        if permissions.is_empty() {
            causes.push("permissions: The field cannot be left blank".to_string());
        }
        if permissions.len() > MAX_PERMISSIONS {
            causes.push(format!(
                "permissions: at most {MAX_PERMISSIONS} permissions are allowed"
            ));
        }
        causes.extend(permissions.iter().filter_map(|p| check_permission(p).err()));
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        self.check_role_label_free(&label, None)?;
        if self.custom_roles.values().count() >= MAX_CUSTOM_ROLES {
            return Err(ApiError::invalid(format!(
                "An org can have at most {MAX_CUSTOM_ROLES} custom roles"
            )));
        }
        let now = audit.now;
        let mut unique: Vec<Permission> = Vec::new();
        for label in permissions {
            if !unique.iter().any(|p| p.label == label) {
                unique.push(Permission {
                    label,
                    created: now,
                    last_updated: now,
                    conditions: None,
                });
            }
        }
        let role = CustomRole {
            id: okta_id("cr0"),
            label,
            description,
            created: now,
            last_updated: now,
            permissions: unique,
        };
        let id = role.id.clone();
        let target = role.target();
        let debug = json!({ "permissions": role.permissions.iter().map(|p| p.label.as_str()).collect::<Vec<_>>() });
        let seq = self.next_seq();
        self.custom_roles.insert(seq, role);
        self.emit(
            audit,
            "iam.role.create",
            "Create custom role",
            vec![target],
            debug,
        );
        self.custom_roles.found(&id, "CustomRole")
    }

    pub fn update_custom_role(
        &mut self,
        audit: &Audit,
        id_or_label: &str,
        label: String,
        description: String,
    ) -> Result<&CustomRole, ApiError> {
        let id = self.custom_role_id(id_or_label)?;
        let mut causes = Vec::new();
        check_label(&label, &description, &mut causes);
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        self.check_role_label_free(&label, Some(&id))?;
        let role = self.custom_roles.found_mut(&id, "CustomRole")?;
        role.label = label;
        role.description = description;
        role.last_updated = audit.now;
        let target = role.target();
        self.emit(
            audit,
            "iam.role.update",
            "Update custom role",
            vec![target],
            json!({}),
        );
        self.custom_roles.found(&id, "CustomRole")
    }

    /// Deletes a custom role that no binding uses. Whether Okta refuses or cascades is not
    /// documented; refusing keeps every grant visible until it is removed on its own.
    pub fn delete_custom_role(&mut self, audit: &Audit, id_or_label: &str) -> Result<(), ApiError> {
        let id = self.custom_role_id(id_or_label)?;
        let bound = self
            .resource_sets
            .values()
            .any(|set| set.bindings.iter().any(|binding| binding.role_id == id));
        if bound {
            return Err(ApiError::invalid(
                "role: The role is used by a resource set binding; delete the binding first",
            ));
        }
        let role = self
            .custom_roles
            .remove(&id)
            .ok_or_else(|| ApiError::not_found(&id, "CustomRole"))?;
        self.emit(
            audit,
            "iam.role.delete",
            "Delete custom role",
            vec![role.target()],
            json!({}),
        );
        Ok(())
    }

    /// Adds a permission (`POST …/permissions/{permissionType}`) or replaces its conditions
    /// (`PUT`, `replace`); returns the role's id.
    pub fn put_role_permission(
        &mut self,
        audit: &Audit,
        id_or_label: &str,
        permission: &str,
        conditions: Option<Value>,
        replace: bool,
    ) -> Result<String, ApiError> {
        let id = self.custom_role_id(id_or_label)?;
        check_permission(permission).map_err(ApiError::invalid)?;
        if conditions
            .as_ref()
            .is_some_and(|c| c.to_string().len() > MAX_CONDITIONS_BYTES)
        {
            return Err(ApiError::invalid(format!(
                "conditions: at most {MAX_CONDITIONS_BYTES} bytes"
            )));
        }
        let role = self.find_custom_role(&id)?;
        let existing = role.has_permission(permission);
        if replace && !existing {
            return Err(ApiError::not_found(permission, "Permission"));
        }
        if !replace && !existing && role.permissions.len() >= MAX_PERMISSIONS {
            return Err(ApiError::invalid(format!(
                "permissions: at most {MAX_PERMISSIONS} permissions are allowed"
            )));
        }
        let now = audit.now;
        let role = self.custom_roles.found_mut(&id, "CustomRole")?;
        match role.permissions.iter_mut().find(|p| p.label == permission) {
            Some(existing) => {
                existing.conditions = conditions;
                existing.last_updated = now;
            }
            None => role.permissions.push(Permission {
                label: permission.to_string(),
                created: now,
                last_updated: now,
                conditions,
            }),
        }
        role.last_updated = now;
        let target = role.target();
        if !existing {
            self.emit(
                audit,
                "iam.role.permissions.add",
                "Add permissions to custom role",
                vec![target],
                json!({ "permissions": [permission] }),
            );
        }
        Ok(id)
    }

    pub fn delete_role_permission(
        &mut self,
        audit: &Audit,
        id_or_label: &str,
        permission: &str,
    ) -> Result<(), ApiError> {
        let id = self.custom_role_id(id_or_label)?;
        if !self.find_custom_role(&id)?.has_permission(permission) {
            return Err(ApiError::not_found(permission, "Permission"));
        }
        let role = self.custom_roles.found_mut(&id, "CustomRole")?;
        role.permissions.retain(|p| p.label != permission);
        role.last_updated = audit.now;
        let target = role.target();
        self.emit(
            audit,
            "iam.role.permissions.delete",
            "Delete permissions from custom role",
            vec![target],
            json!({ "permissions": [permission] }),
        );
        Ok(())
    }
}

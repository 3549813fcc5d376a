//! Resource sets (`/api/v1/iam/resource-sets`): the resources a custom role is granted over. A
//! resource set row also holds its bindings (`bindings`), so that one row is what a change to
//! them saves.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::bindings::Binding;
use super::custom_roles::check_label;
use super::table::Row;
use super::{ApiError, Audit, Org, validation};
use crate::util::okta_id;

/// Okta's limits (help.okta.com, custom admin roles): "a maximum of 10,000 resource sets and
/// ... a maximum of 1,000 resources for each resource set"; the reference's `createResourceSet`
/// says the same 1,000.
pub const MAX_RESOURCE_SETS: usize = 10_000;
pub const MAX_RESOURCES: usize = 1_000;
const MAX_RESOURCE_CHARS: usize = 1_024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    pub id: String,
    /// The resource as given: a REST URL (`https://…/api/v1/groups/{id}`) or an ORN.
    pub reference: String,
    pub created: i64,
    pub last_updated: i64,
}

impl Resource {
    /// Whether this resource is every object of a collection (`users`, `groups`): Okta's
    /// `https://{domain}/api/v1/users` or `orn:{partition}:directory:{orgId}:users`.
    pub fn is_all(&self, collection: &str) -> bool {
        let reference = self.reference.trim_end_matches('/');
        reference.ends_with(&format!("/api/v1/{collection}"))
            || (reference.starts_with("orn:") && reference.ends_with(&format!(":{collection}")))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceSet {
    pub id: String,
    pub label: String,
    pub description: String,
    pub created: i64,
    pub last_updated: i64,
    pub resources: Vec<Resource>,
    pub bindings: Vec<Binding>,
}

impl Row for ResourceSet {
    fn id(&self) -> &str {
        &self.id
    }
}

impl ResourceSet {
    pub(super) fn target(&self) -> Value {
        json!({ "id": self.id, "type": "RESOURCE_SET", "alternateId": self.label, "displayName": self.label, "detailEntry": null })
    }

    pub fn covers_all(&self, collection: &str) -> bool {
        self.resources.iter().any(|r| r.is_all(collection))
    }
}

/// A resource reference is an ORN or an HTTP(S) URL of Okta's API.
fn check_resource(reference: &str) -> Result<(), String> {
    let well_formed = reference.len() <= MAX_RESOURCE_CHARS
        && (reference.starts_with("orn:")
            || ((reference.starts_with("https://") || reference.starts_with("http://"))
                && reference.contains("/api/v1/")));
    if well_formed {
        Ok(())
    } else {
        let shown: String = reference.chars().take(64).collect();
        Err(format!(
            "resources: '{shown}' is not an Okta resource name or API URL"
        ))
    }
}

impl Org {
    /// A resource set by id or label, as Okta's `{resourceSetIdOrLabel}` paths take either.
    pub fn find_resource_set(&self, id_or_label: &str) -> Result<&ResourceSet, ApiError> {
        self.resource_sets
            .get(id_or_label)
            .or_else(|| {
                self.resource_sets
                    .values()
                    .find(|set| set.label == id_or_label)
            })
            .ok_or_else(|| ApiError::not_found(id_or_label, "ResourceSet"))
    }

    pub(super) fn resource_set_id(&self, id_or_label: &str) -> Result<String, ApiError> {
        self.find_resource_set(id_or_label)
            .map(|set| set.id.clone())
    }

    fn check_set_label_free(&self, label: &str, except: Option<&str>) -> Result<(), ApiError> {
        let taken = self
            .resource_sets
            .values()
            .any(|set| Some(set.id.as_str()) != except && set.label == label);
        if taken {
            return Err(validation(vec![
                "label: A resource set with this label already exists".to_string(),
            ]));
        }
        Ok(())
    }

    pub fn create_resource_set(
        &mut self,
        audit: &Audit,
        label: String,
        description: String,
        resources: Vec<String>,
    ) -> Result<&ResourceSet, ApiError> {
        let mut causes = Vec::new();
        check_label(&label, &description, &mut causes);
        if resources.is_empty() {
            causes.push("resources: The field cannot be left blank".to_string());
        }
        if resources.len() > MAX_RESOURCES {
            causes.push(format!(
                "resources: at most {MAX_RESOURCES} resources are allowed"
            ));
        }
        causes.extend(resources.iter().filter_map(|r| check_resource(r).err()));
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        self.check_set_label_free(&label, None)?;
        if self.resource_sets.values().count() >= MAX_RESOURCE_SETS {
            return Err(ApiError::invalid(format!(
                "An org can have at most {MAX_RESOURCE_SETS} resource sets"
            )));
        }
        let now = audit.now;
        let mut set = ResourceSet {
            id: okta_id("iam"),
            label,
            description,
            created: now,
            last_updated: now,
            resources: Vec::new(),
            bindings: Vec::new(),
        };
        add_resources(&mut set, resources, now);
        let id = set.id.clone();
        let target = set.target();
        let seq = self.next_seq();
        self.resource_sets.insert(seq, set);
        self.emit(
            audit,
            "iam.resourceset.create",
            "Create resource set",
            vec![target],
            json!({}),
        );
        self.resource_sets.found(&id, "ResourceSet")
    }

    pub fn update_resource_set(
        &mut self,
        audit: &Audit,
        id_or_label: &str,
        label: String,
        description: String,
    ) -> Result<&ResourceSet, ApiError> {
        let id = self.resource_set_id(id_or_label)?;
        let mut causes = Vec::new();
        check_label(&label, &description, &mut causes);
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        self.check_set_label_free(&label, Some(&id))?;
        let set = self.resource_sets.found_mut(&id, "ResourceSet")?;
        set.label = label;
        set.description = description;
        set.last_updated = audit.now;
        let target = set.target();
        self.emit(
            audit,
            "iam.resourceset.update",
            "Update resource set",
            vec![target],
            json!({}),
        );
        self.resource_sets.found(&id, "ResourceSet")
    }

    /// Deletes a resource set without bindings; as for custom roles, a set still granting a
    /// role is refused rather than taking its grants with it silently.
    pub fn delete_resource_set(
        &mut self,
        audit: &Audit,
        id_or_label: &str,
    ) -> Result<(), ApiError> {
        let id = self.resource_set_id(id_or_label)?;
        if !self.find_resource_set(&id)?.bindings.is_empty() {
            return Err(ApiError::invalid(
                "resource-set: The resource set has bindings; delete them first",
            ));
        }
        let set = self
            .resource_sets
            .remove(&id)
            .ok_or_else(|| ApiError::not_found(&id, "ResourceSet"))?;
        self.emit(
            audit,
            "iam.resourceset.delete",
            "Delete resource set",
            vec![set.target()],
            json!({}),
        );
        Ok(())
    }

    /// `PATCH …/resources` with `additions`; a resource already in the set is kept once.
    pub fn add_resource_set_resources(
        &mut self,
        audit: &Audit,
        id_or_label: &str,
        additions: Vec<String>,
    ) -> Result<&ResourceSet, ApiError> {
        let id = self.resource_set_id(id_or_label)?;
        let mut causes: Vec<String> = additions
            .iter()
            .filter_map(|r| check_resource(r).err())
            .collect();
        if additions.is_empty() {
            causes.push("additions: The field cannot be left blank".to_string());
        }
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let set = self.find_resource_set(&id)?;
        let new = additions
            .iter()
            .filter(|r| !set.resources.iter().any(|have| &have.reference == *r))
            .count();
        if set.resources.len() + new > MAX_RESOURCES {
            return Err(ApiError::invalid(format!(
                "resources: at most {MAX_RESOURCES} resources are allowed"
            )));
        }
        let set = self.resource_sets.found_mut(&id, "ResourceSet")?;
        add_resources(set, additions, audit.now);
        set.last_updated = audit.now;
        let target = set.target();
        self.emit(
            audit,
            "iam.resourceset.resources.add",
            "Add resources to resource set",
            vec![target],
            json!({}),
        );
        self.resource_sets.found(&id, "ResourceSet")
    }

    pub fn delete_resource_set_resource(
        &mut self,
        audit: &Audit,
        id_or_label: &str,
        resource_id: &str,
    ) -> Result<(), ApiError> {
        let id = self.resource_set_id(id_or_label)?;
        let set = self.find_resource_set(&id)?;
        if !set.resources.iter().any(|r| r.id == resource_id) {
            return Err(ApiError::not_found(resource_id, "Resource"));
        }
        let set = self.resource_sets.found_mut(&id, "ResourceSet")?;
        set.resources.retain(|r| r.id != resource_id);
        set.last_updated = audit.now;
        let target = set.target();
        self.emit(
            audit,
            "iam.resourceset.resources.delete",
            "Delete resources from resource set",
            vec![target],
            json!({}),
        );
        Ok(())
    }
}

fn add_resources(set: &mut ResourceSet, references: Vec<String>, now: i64) {
    for reference in references {
        if set.resources.iter().any(|have| have.reference == reference) {
            continue;
        }
        set.resources.push(Resource {
            id: okta_id("ire"),
            reference,
            created: now,
            last_updated: now,
        });
    }
}

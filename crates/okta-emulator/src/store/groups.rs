//! Groups and their members; the built-in Everyone group holds every user.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::table::{Page, Row, paginate};
use super::{ApiError, Audit, Org, RoleAssignment, User, validation};
use crate::util::{format_millis, okta_id};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub last_membership_updated: i64,
    pub built_in: bool,
    pub name: String,
    pub description: Option<String>,
    /// Member user ids in the order they were added, with the position each list pages by.
    pub members: BTreeMap<u64, String>,
    /// Admin roles assigned to the group, which every member holds (`assignmentType: GROUP`).
    /// Absent in data files written before group roles existed.
    #[serde(default)]
    pub roles: Vec<RoleAssignment>,
    /// The member ids again, so that "is this user a member" costs one lookup however large the
    /// group: the privilege check asks it on every request of a user without roles of its own.
    #[serde(skip)]
    member_ids: HashSet<String>,
}

impl Row for Group {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Group {
    /// A group as Okta creates it: no members, no roles.
    pub(super) fn new(
        id: String,
        now: i64,
        built_in: bool,
        name: String,
        description: Option<String>,
    ) -> Group {
        Group {
            id,
            created: now,
            last_updated: now,
            last_membership_updated: now,
            built_in,
            name,
            description,
            members: BTreeMap::new(),
            roles: Vec::new(),
            member_ids: HashSet::new(),
        }
    }

    /// Whether the user is a member; the built-in Everyone group holds every user.
    pub fn has_member(&self, user_id: &str) -> bool {
        self.built_in || self.member_ids.contains(user_id)
    }

    fn join(&mut self, seq: u64, user_id: String) {
        self.member_ids.insert(user_id.clone());
        self.members.insert(seq, user_id);
    }

    /// Removes a member; whether it was one.
    pub(super) fn leave(&mut self, user_id: &str) -> bool {
        if !self.member_ids.remove(user_id) {
            return false;
        }
        self.members.retain(|_, member| member != user_id);
        true
    }

    /// Rebuilds the member lookup after loading.
    pub(super) fn reindex_members(&mut self) {
        self.member_ids = self.members.values().cloned().collect();
    }

    pub fn search_document(&self) -> Value {
        json!({
            "id": self.id,
            "type": if self.built_in { "BUILT_IN" } else { "OKTA_GROUP" },
            "created": format_millis(self.created),
            "lastUpdated": format_millis(self.last_updated),
            "lastMembershipUpdated": format_millis(self.last_membership_updated),
            "profile": { "name": self.name, "description": self.description },
        })
    }

    pub(super) fn target(&self) -> Value {
        json!({
            "id": self.id,
            "type": "UserGroup",
            "alternateId": self.name,
            "displayName": self.name,
            "detailEntry": null,
        })
    }
}

impl Org {
    pub fn find_group(&self, id: &str) -> Result<&Group, ApiError> {
        self.groups.found(id, "UserGroup")
    }

    pub fn create_group(
        &mut self,
        audit: &Audit,
        name: String,
        description: Option<String>,
    ) -> Result<&Group, ApiError> {
        self.validate_group_name(&name, None)?;
        let now = audit.now;
        let group = Group::new(okta_id("00g"), now, false, name, description);
        let id = group.id.clone();
        let target = group.target();
        let seq = self.next_seq();
        self.groups.insert(seq, group);
        self.emit(
            audit,
            "group.lifecycle.create",
            "Create Okta group",
            vec![target],
            json!({}),
        );
        self.groups.found(&id, "UserGroup")
    }

    fn validate_group_name(&self, name: &str, except: Option<&str>) -> Result<(), ApiError> {
        if name.trim().is_empty() {
            return Err(validation(vec![
                "name: The field cannot be left blank".to_string(),
            ]));
        }
        if name.chars().count() > 255 {
            return Err(validation(vec![
                "name: The field must be at most 255 characters".to_string(),
            ]));
        }
        let taken = self.groups.values().any(|group| {
            Some(group.id.as_str()) != except && group.name.eq_ignore_ascii_case(name)
        });
        if taken {
            return Err(validation(vec![
                "name: An object with this field already exists in the current organization"
                    .to_string(),
            ]));
        }
        Ok(())
    }

    pub fn update_group(
        &mut self,
        audit: &Audit,
        id: &str,
        name: String,
        description: Option<String>,
    ) -> Result<&Group, ApiError> {
        let group = self.find_group(id)?;
        if group.built_in {
            return Err(ApiError::Forbidden);
        }
        self.validate_group_name(&name, Some(id))?;
        let group = self.groups.found_mut(id, "UserGroup")?;
        group.name = name;
        group.description = description;
        group.last_updated = audit.now;
        let target = group.target();
        self.emit(
            audit,
            "group.profile.update",
            "Okta group profile updated",
            vec![target],
            json!({}),
        );
        self.groups.found(id, "UserGroup")
    }

    pub fn delete_group(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let group = self.find_group(id)?;
        if group.built_in {
            return Err(ApiError::Forbidden);
        }
        let target = group.target();
        self.groups.remove(id);
        self.forget_in_bindings(&super::Member::Group(id.to_string()));
        self.emit(
            audit,
            "group.lifecycle.delete",
            "Delete Okta group",
            vec![target],
            json!({}),
        );
        Ok(())
    }

    /// Adds a member; adding an existing member changes nothing (Okta answers 204 either way).
    pub fn add_member(
        &mut self,
        audit: &Audit,
        group_id: &str,
        user: &str,
    ) -> Result<(), ApiError> {
        self.join_group(audit, group_id, user, None)
    }

    /// A membership a group rule makes; its event names the rule (`triggeredByGroupRuleId`,
    /// the catalogue's `GroupRuleDebugData` field).
    pub(super) fn add_member_by_rule(
        &mut self,
        audit: &Audit,
        group_id: &str,
        user_id: &str,
        rule_id: &str,
    ) -> Result<(), ApiError> {
        self.join_group(audit, group_id, user_id, Some(rule_id))
    }

    fn join_group(
        &mut self,
        audit: &Audit,
        group_id: &str,
        user: &str,
        rule_id: Option<&str>,
    ) -> Result<(), ApiError> {
        let group = self.find_group(group_id)?;
        if group.built_in {
            return Err(ApiError::Forbidden);
        }
        let user_id = self.user_id_of(user)?;
        if group.has_member(&user_id) {
            return Ok(());
        }
        let seq = self.next_seq();
        let group = self.groups.found_mut(group_id, "UserGroup")?;
        group.join(seq, user_id.clone());
        group.last_membership_updated = audit.now;
        let group_target = group.target();
        let user_target = self.users.found(&user_id, "User")?.target();
        let debug = match rule_id {
            Some(rule_id) => json!({ "triggeredByGroupRuleId": rule_id }),
            None => json!({}),
        };
        self.emit(
            audit,
            "group.user_membership.add",
            "Add user to group membership",
            vec![user_target, group_target],
            debug,
        );
        Ok(())
    }

    pub fn remove_member(
        &mut self,
        audit: &Audit,
        group_id: &str,
        user: &str,
    ) -> Result<(), ApiError> {
        let group = self.find_group(group_id)?;
        if group.built_in {
            return Err(ApiError::Forbidden);
        }
        let user_id = self.user_id_of(user)?;
        if !self.find_group(group_id)?.has_member(&user_id) {
            return Ok(());
        }
        let group = self.groups.found_mut(group_id, "UserGroup")?;
        group.leave(&user_id);
        group.last_membership_updated = audit.now;
        let group_target = group.target();
        let user_target = self.users.found(&user_id, "User")?.target();
        self.emit(
            audit,
            "group.user_membership.remove",
            "Remove user from group membership",
            vec![user_target, group_target],
            json!({}),
        );
        Ok(())
    }

    /// Members of a group in the order they joined; Everyone holds every user.
    pub fn group_members(
        &self,
        group_id: &str,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Page<&User>, ApiError> {
        let group = self.find_group(group_id)?;
        if group.built_in {
            return Ok(paginate(self.users.iter(), after, limit));
        }
        let rows = group
            .members
            .iter()
            .filter_map(|(seq, id)| self.users.get(id).map(|user| (*seq, user)));
        Ok(paginate(rows, after, limit))
    }

    /// The groups a user belongs to (Everyone first).
    pub fn groups_of(&self, user_id: &str) -> Vec<&Group> {
        self.groups
            .values()
            .filter(|group| group.has_member(user_id))
            .collect()
    }
}

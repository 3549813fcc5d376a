//! An authorization server's access policies (`OAUTH_AUTHORIZATION_POLICY`) and their rules
//! (`RESOURCE_ACCESS`): validation, priority order and lifecycle.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::super::{ApiError, Audit, Org, validation};
use super::AuthServer;
use crate::util::okta_id;

/// Okta's reference: a policy's name is 1 to 100 characters, its description 1 to 255.
const MAX_POLICY_NAME_CHARS: usize = 100;
const MAX_POLICY_DESCRIPTION_CHARS: usize = 255;
/// Bounds a request; the reference gives no limit for a rule's name.
const MAX_RULE_NAME_CHARS: usize = 255;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AsPolicy {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub priority: u32,
    pub active: bool,
    pub created: i64,
    pub last_updated: i64,
    /// `clients.include`, as sent.
    pub conditions: Value,
    /// In priority order.
    pub rules: Vec<AsRule>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AsRule {
    pub id: String,
    pub name: String,
    pub priority: u32,
    pub active: bool,
    pub created: i64,
    pub last_updated: i64,
    pub conditions: Value,
    pub actions: Value,
}

/// A policy to create, or the full replacement of one.
pub struct NewAsPolicy {
    pub kind: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub priority: Option<u32>,
    pub active: Option<bool>,
    pub conditions: Value,
}

/// A rule to create, or the full replacement of one.
pub struct NewAsRule {
    pub kind: Option<String>,
    pub name: String,
    pub priority: Option<u32>,
    pub active: Option<bool>,
    pub conditions: Value,
    pub actions: Value,
}

fn check_policy(policy: &NewAsPolicy) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    if policy
        .kind
        .as_deref()
        .is_some_and(|kind| kind != "OAUTH_AUTHORIZATION_POLICY")
    {
        causes.push(
            "type: An authorization server policy has type OAUTH_AUTHORIZATION_POLICY".to_string(),
        );
    }
    let name_chars = policy.name.trim().chars().count();
    if name_chars == 0 || name_chars > MAX_POLICY_NAME_CHARS {
        causes.push(format!(
            "name: must be 1 to {MAX_POLICY_NAME_CHARS} characters"
        ));
    }
    if policy
        .description
        .as_ref()
        .is_some_and(|text| text.chars().count() > MAX_POLICY_DESCRIPTION_CHARS)
    {
        causes.push(format!(
            "description: must be at most {MAX_POLICY_DESCRIPTION_CHARS} characters"
        ));
    }
    if !policy.conditions.is_null() && !policy.conditions.is_object() {
        causes.push("conditions: must be an object".to_string());
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(validation(causes))
    }
}

fn check_rule(rule: &NewAsRule) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    if rule
        .kind
        .as_deref()
        .is_some_and(|kind| kind != "RESOURCE_ACCESS")
    {
        causes
            .push("type: An authorization server policy rule has type RESOURCE_ACCESS".to_string());
    }
    let name_chars = rule.name.trim().chars().count();
    if name_chars == 0 || name_chars > MAX_RULE_NAME_CHARS {
        causes.push(format!(
            "name: must be 1 to {MAX_RULE_NAME_CHARS} characters"
        ));
    }
    for (field, value) in [("conditions", &rule.conditions), ("actions", &rule.actions)] {
        if !value.is_null() && !value.is_object() {
            causes.push(format!("{field}: must be an object"));
        }
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(validation(causes))
    }
}

/// The conditions Okta stores for a rule: the recorded rule was sent without `people` and
/// answered `people.users.exclude: []`.
fn rule_conditions(sent: Value) -> Value {
    let mut conditions = match sent {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let people = conditions.entry("people").or_insert_with(|| json!({}));
    if !people.is_object() {
        *people = json!({});
    }
    if let Some(people) = people.as_object_mut() {
        let users = people.entry("users").or_insert_with(|| json!({}));
        if let Some(users) = users.as_object_mut() {
            users.entry("exclude").or_insert_with(|| json!([]));
        }
    }
    Value::Object(conditions)
}

/// Moves the item with `id` to `priority` (1 is first) and renumbers all from 1.
fn place<T>(items: &mut Vec<T>, id: &str, priority: Option<u32>, key: impl Fn(&T) -> &str) {
    let Some(from) = items.iter().position(|item| key(item) == id) else {
        return;
    };
    let item = items.remove(from);
    let to = priority
        .map(|p| (p.max(1) as usize - 1).min(items.len()))
        .unwrap_or(items.len());
    items.insert(to, item);
}

fn renumber_policies(server: &mut AuthServer) {
    for (index, policy) in server.policies.iter_mut().enumerate() {
        policy.priority = index as u32 + 1;
    }
}

fn renumber_rules(policy: &mut AsPolicy) {
    for (index, rule) in policy.rules.iter_mut().enumerate() {
        rule.priority = index as u32 + 1;
    }
}

impl Org {
    pub fn find_as_policy(&self, server_id: &str, policy_id: &str) -> Result<&AsPolicy, ApiError> {
        self.find_auth_server(server_id)?
            .policies
            .iter()
            .find(|policy| policy.id == policy_id)
            .ok_or_else(|| ApiError::not_found(policy_id, "Policy"))
    }

    pub fn find_as_rule(
        &self,
        server_id: &str,
        policy_id: &str,
        rule_id: &str,
    ) -> Result<&AsRule, ApiError> {
        self.find_as_policy(server_id, policy_id)?
            .rules
            .iter()
            .find(|rule| rule.id == rule_id)
            .ok_or_else(|| ApiError::not_found(rule_id, "PolicyRule"))
    }

    fn as_policy_mut(
        &mut self,
        server_id: &str,
        policy_id: &str,
    ) -> Result<&mut AsPolicy, ApiError> {
        self.auth_server_mut(server_id)?
            .policies
            .iter_mut()
            .find(|policy| policy.id == policy_id)
            .ok_or_else(|| ApiError::not_found(policy_id, "Policy"))
    }

    /// Creates a policy, `ACTIVE` unless the request says otherwise, at the priority it asks
    /// for (last when it asks for none).
    pub fn create_as_policy(
        &mut self,
        audit: &Audit,
        server_id: &str,
        policy: NewAsPolicy,
    ) -> Result<&AsPolicy, ApiError> {
        self.find_auth_server(server_id)?;
        check_policy(&policy)?;
        let row = AsPolicy {
            id: okta_id("00p"),
            name: policy.name,
            description: policy.description,
            priority: 0,
            active: policy.active.unwrap_or(true),
            created: audit.now,
            last_updated: audit.now,
            conditions: policy.conditions,
            rules: Vec::new(),
        };
        let id = row.id.clone();
        let server = self.auth_server_mut(server_id)?;
        server.policies.push(row);
        place(&mut server.policies, &id, policy.priority, |p| &p.id);
        renumber_policies(server);
        self.find_as_policy(server_id, &id)
    }

    pub fn replace_as_policy(
        &mut self,
        audit: &Audit,
        server_id: &str,
        policy_id: &str,
        policy: NewAsPolicy,
    ) -> Result<&AsPolicy, ApiError> {
        self.find_as_policy(server_id, policy_id)?;
        check_policy(&policy)?;
        let row = self.as_policy_mut(server_id, policy_id)?;
        row.name = policy.name;
        row.description = policy.description;
        row.conditions = policy.conditions;
        row.last_updated = audit.now;
        if policy.priority.is_some() {
            let server = self.auth_server_mut(server_id)?;
            place(&mut server.policies, policy_id, policy.priority, |p| &p.id);
            renumber_policies(server);
        }
        self.find_as_policy(server_id, policy_id)
    }

    pub fn set_as_policy_status(
        &mut self,
        audit: &Audit,
        server_id: &str,
        policy_id: &str,
        active: bool,
    ) -> Result<(), ApiError> {
        let row = self.as_policy_mut(server_id, policy_id)?;
        row.active = active;
        row.last_updated = audit.now;
        Ok(())
    }

    pub fn delete_as_policy(&mut self, server_id: &str, policy_id: &str) -> Result<(), ApiError> {
        self.find_as_policy(server_id, policy_id)?;
        let server = self.auth_server_mut(server_id)?;
        server.policies.retain(|policy| policy.id != policy_id);
        renumber_policies(server);
        Ok(())
    }

    pub fn create_as_rule(
        &mut self,
        audit: &Audit,
        server_id: &str,
        policy_id: &str,
        rule: NewAsRule,
    ) -> Result<&AsRule, ApiError> {
        self.find_as_policy(server_id, policy_id)?;
        check_rule(&rule)?;
        let row = AsRule {
            id: okta_id("0pr"),
            name: rule.name,
            priority: 0,
            active: rule.active.unwrap_or(true),
            created: audit.now,
            last_updated: audit.now,
            conditions: rule_conditions(rule.conditions),
            actions: rule.actions,
        };
        let id = row.id.clone();
        let policy = self.as_policy_mut(server_id, policy_id)?;
        policy.rules.push(row);
        place(&mut policy.rules, &id, rule.priority, |r| &r.id);
        renumber_rules(policy);
        self.find_as_rule(server_id, policy_id, &id)
    }

    pub fn replace_as_rule(
        &mut self,
        audit: &Audit,
        server_id: &str,
        policy_id: &str,
        rule_id: &str,
        rule: NewAsRule,
    ) -> Result<&AsRule, ApiError> {
        self.find_as_rule(server_id, policy_id, rule_id)?;
        check_rule(&rule)?;
        let policy = self.as_policy_mut(server_id, policy_id)?;
        if let Some(row) = policy.rules.iter_mut().find(|row| row.id == rule_id) {
            row.name = rule.name;
            row.conditions = rule_conditions(rule.conditions);
            row.actions = rule.actions;
            row.last_updated = audit.now;
        }
        if rule.priority.is_some() {
            place(&mut policy.rules, rule_id, rule.priority, |r| &r.id);
            renumber_rules(policy);
        }
        self.find_as_rule(server_id, policy_id, rule_id)
    }

    pub fn set_as_rule_status(
        &mut self,
        audit: &Audit,
        server_id: &str,
        policy_id: &str,
        rule_id: &str,
        active: bool,
    ) -> Result<(), ApiError> {
        self.find_as_rule(server_id, policy_id, rule_id)?;
        let policy = self.as_policy_mut(server_id, policy_id)?;
        if let Some(row) = policy.rules.iter_mut().find(|row| row.id == rule_id) {
            row.active = active;
            row.last_updated = audit.now;
        }
        Ok(())
    }

    pub fn delete_as_rule(
        &mut self,
        server_id: &str,
        policy_id: &str,
        rule_id: &str,
    ) -> Result<(), ApiError> {
        self.find_as_rule(server_id, policy_id, rule_id)?;
        let policy = self.as_policy_mut(server_id, policy_id)?;
        policy.rules.retain(|rule| rule.id != rule_id);
        renumber_rules(policy);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_without_people_excludes_no_user_and_keeps_what_was_sent() {
        assert_eq!(
            rule_conditions(json!({ "scopes": { "include": ["*"] } })),
            json!({ "scopes": { "include": ["*"] }, "people": { "users": { "exclude": [] } } })
        );
        assert_eq!(
            rule_conditions(json!({ "people": { "groups": { "include": ["EVERYONE"] } } })),
            json!({ "people": { "groups": { "include": ["EVERYONE"] }, "users": { "exclude": [] } } })
        );
    }

    #[test]
    fn placing_moves_one_item_and_clamps_the_priority() {
        let mut items = vec!["a", "b", "c"];
        place(&mut items, "c", Some(1), |s| s);
        assert_eq!(items, ["c", "a", "b"]);
        place(&mut items, "c", Some(99), |s| s);
        assert_eq!(items, ["a", "b", "c"]);
        place(&mut items, "b", Some(0), |s| s);
        assert_eq!(items, ["b", "a", "c"]);
    }
}

//! Group rules (`/api/v1/groups/rules`): an active rule puts every user its expression matches
//! into its groups, when it is activated and whenever a user is created or changed. Okta's
//! expression language is large; the emulator evaluates comparisons of profile attributes with
//! strings (`user.department=="Engineering"`), joined by `AND` or `&&`, and answers 501 for
//! anything else rather than guess.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::table::Row;
use super::{ApiError, Audit, Org, UserStatus, validation};
use crate::util::okta_id;

/// Okta's reference: a rule's `name` is 1 to 50 characters. The others bound a request.
const MAX_NAME_CHARS: usize = 50;
const MAX_EXPRESSION_CHARS: usize = 1_024;
const MAX_TARGET_GROUPS: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupRule {
    pub id: String,
    pub name: String,
    pub active: bool,
    /// `conditions.expression.value`, as sent.
    pub expression: String,
    /// `actions.assignUserToGroups.groupIds`.
    pub group_ids: Vec<String>,
    pub created: i64,
    pub last_updated: i64,
    /// The memberships this rule made, as (group id, user id): the ones that activation takes
    /// back when their user no longer matches. Absent in older data files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memberships: Vec<Membership>,
}

/// A membership a rule made: (group id, user id).
pub type Membership = (String, String);

impl Row for GroupRule {
    fn id(&self) -> &str {
        &self.id
    }
}

/// What a create or replace asks for.
pub struct NewGroupRule {
    pub name: String,
    pub expression: String,
    pub group_ids: Vec<String>,
}

/// The comparisons of a supported expression: (profile attribute, value), all of which must
/// hold.
fn parse_expression(expression: &str) -> Result<Vec<(String, String)>, ApiError> {
    let unsupported = || ApiError::Unsupported {
        what: "group rule expressions other than user.attribute==\"value\" joined by AND"
            .to_string(),
    };
    let mut comparisons = Vec::new();
    for clause in expression
        .split("&&")
        .flat_map(|part| part.split(" AND "))
        .map(str::trim)
    {
        let (left, right) = clause.split_once("==").ok_or_else(unsupported)?;
        let attribute = left
            .trim()
            .strip_prefix("user.")
            .filter(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .ok_or_else(unsupported)?;
        let value = right
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .filter(|v| !v.contains('"'))
            .ok_or_else(unsupported)?;
        comparisons.push((attribute.to_string(), value.to_string()));
    }
    Ok(comparisons)
}

impl GroupRule {
    fn matches(&self, profile: &serde_json::Map<String, Value>) -> bool {
        parse_expression(&self.expression).is_ok_and(|comparisons| {
            comparisons.iter().all(|(attribute, value)| {
                profile.get(attribute).and_then(Value::as_str) == Some(value.as_str())
            })
        })
    }
}

impl Org {
    pub fn find_group_rule(&self, id: &str) -> Result<&GroupRule, ApiError> {
        self.group_rules.found(id, "GroupRule")
    }

    /// Whether a rule assigns users to the group: Okta then refuses admin roles for it.
    pub(super) fn group_has_rules(&self, group_id: &str) -> bool {
        self.group_rules
            .values()
            .any(|rule| rule.group_ids.iter().any(|id| id == group_id))
    }

    fn check_rule(&self, rule: &NewGroupRule) -> Result<(), ApiError> {
        let mut causes = Vec::new();
        if rule.name.trim().is_empty() || rule.name.chars().count() > MAX_NAME_CHARS {
            causes.push(format!("name: must be 1 to {MAX_NAME_CHARS} characters"));
        }
        if rule.expression.trim().is_empty() {
            causes.push("conditions.expression.value: The field cannot be left blank".to_string());
        } else if rule.expression.len() > MAX_EXPRESSION_CHARS {
            causes.push(format!(
                "conditions.expression.value: at most {MAX_EXPRESSION_CHARS} characters"
            ));
        }
        if rule.group_ids.is_empty() || rule.group_ids.len() > MAX_TARGET_GROUPS {
            causes.push(format!(
                "actions.assignUserToGroups.groupIds: 1 to {MAX_TARGET_GROUPS} groups"
            ));
        }
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        for group_id in &rule.group_ids {
            if self.find_group(group_id)?.built_in {
                return Err(ApiError::invalid(format!(
                    "actions.assignUserToGroups.groupIds: {group_id} cannot take members"
                )));
            }
        }
        parse_expression(&rule.expression)?;
        Ok(())
    }

    /// Creates a rule, `INACTIVE` as Okta creates them.
    pub fn create_group_rule(
        &mut self,
        audit: &Audit,
        rule: NewGroupRule,
    ) -> Result<&GroupRule, ApiError> {
        self.check_rule(&rule)?;
        let row = GroupRule {
            id: okta_id("0pr"),
            name: rule.name,
            active: false,
            expression: rule.expression,
            group_ids: rule.group_ids,
            created: audit.now,
            last_updated: audit.now,
            memberships: Vec::new(),
        };
        let id = row.id.clone();
        let seq = self.next_seq();
        self.group_rules.insert(seq, row);
        self.find_group_rule(&id)
    }

    /// Okta changes only inactive rules ("You can't update an active rule").
    pub fn replace_group_rule(
        &mut self,
        audit: &Audit,
        id: &str,
        rule: NewGroupRule,
    ) -> Result<&GroupRule, ApiError> {
        if self.find_group_rule(id)?.active {
            return Err(ApiError::invalid(
                "status: An active group rule cannot be changed",
            ));
        }
        self.check_rule(&rule)?;
        let row = self.group_rules.found_mut(id, "GroupRule")?;
        row.name = rule.name;
        row.expression = rule.expression;
        row.group_ids = rule.group_ids;
        row.last_updated = audit.now;
        self.find_group_rule(id)
    }

    /// Activates a rule and applies it to every user (`group.user_membership.rule.trigger`,
    /// then a `group.user_membership.add` per membership it makes). A member the rule itself
    /// added who no longer matches leaves the group: Okta recorded a user the rule had added
    /// missing from the group once the rule, changed while inactive to an expression the user
    /// fails, was activated again (okta-sdk-python v3.4.4 cassette test_group_rule_operations).
    pub fn activate_group_rule(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let rule = self.find_group_rule(id)?;
        if rule.active {
            return Ok(());
        }
        let target = rule_target(rule);
        let rule = self.group_rules.found_mut(id, "GroupRule")?;
        rule.active = true;
        rule.last_updated = audit.now;
        self.emit(
            audit,
            "group.user_membership.rule.trigger",
            "Trigger group membership rule",
            vec![target],
            json!({}),
        );
        self.take_back_unmatched(audit, id)?;
        let users: Vec<String> = self.users.values().map(|u| u.id.clone()).collect();
        for user_id in users {
            self.apply_rule(audit, id, &user_id)?;
        }
        Ok(())
    }

    /// Removes the memberships the rule made whose user no longer matches it (or is gone).
    fn take_back_unmatched(&mut self, audit: &Audit, rule_id: &str) -> Result<(), ApiError> {
        let rule = self.find_group_rule(rule_id)?;
        let (stale, kept): (Vec<Membership>, Vec<Membership>) =
            rule.memberships.iter().cloned().partition(|(_, user_id)| {
                self.users
                    .get(user_id)
                    .is_none_or(|user| !rule.matches(&user.profile))
            });
        self.group_rules
            .found_mut(rule_id, "GroupRule")?
            .memberships = kept;
        for (group_id, user_id) in stale {
            if self.groups.get(&group_id).is_some() && self.users.get(&user_id).is_some() {
                self.remove_member(audit, &group_id, &user_id)?;
            }
        }
        Ok(())
    }

    /// Deactivates a rule; the memberships it made stay.
    pub fn deactivate_group_rule(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let rule = self.find_group_rule(id)?;
        if !rule.active {
            return Ok(());
        }
        let target = rule_target(rule);
        let rule = self.group_rules.found_mut(id, "GroupRule")?;
        rule.active = false;
        rule.last_updated = audit.now;
        self.emit(
            audit,
            "group.user_membership.rule.deactivated",
            "Deactivate group membership rule",
            vec![target],
            json!({}),
        );
        Ok(())
    }

    /// Deletes an inactive rule; with `remove_users`, its groups lose the users it matches.
    pub fn delete_group_rule(
        &mut self,
        audit: &Audit,
        id: &str,
        remove_users: bool,
    ) -> Result<(), ApiError> {
        let rule = self.find_group_rule(id)?.clone();
        if rule.active {
            return Err(ApiError::invalid(
                "status: An active group rule cannot be deleted",
            ));
        }
        self.group_rules.remove(id);
        if remove_users {
            let matched: Vec<String> = self
                .users
                .values()
                .filter(|user| rule.matches(&user.profile))
                .map(|user| user.id.clone())
                .collect();
            for group_id in &rule.group_ids {
                for user_id in &matched {
                    if self.groups.get(group_id).is_some() {
                        self.remove_member(audit, group_id, user_id)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Applies every active rule to one user, after it is created or changed.
    pub(super) fn apply_group_rules(
        &mut self,
        audit: &Audit,
        user_id: &str,
    ) -> Result<(), ApiError> {
        let active: Vec<String> = self
            .group_rules
            .values()
            .filter(|rule| rule.active)
            .map(|rule| rule.id.clone())
            .collect();
        for rule_id in active {
            self.apply_rule(audit, &rule_id, user_id)?;
        }
        Ok(())
    }

    fn apply_rule(&mut self, audit: &Audit, rule_id: &str, user_id: &str) -> Result<(), ApiError> {
        let rule = self.find_group_rule(rule_id)?;
        let Some(user) = self.users.get(user_id) else {
            return Ok(());
        };
        if user.status == UserStatus::Deprovisioned || !rule.matches(&user.profile) {
            return Ok(());
        }
        let groups: Vec<String> = rule
            .group_ids
            .iter()
            .filter(|group_id| {
                self.groups
                    .get(group_id)
                    .is_some_and(|group| !group.has_member(user_id))
            })
            .cloned()
            .collect();
        for group_id in groups {
            self.add_member_by_rule(audit, &group_id, user_id, rule_id)?;
            self.group_rules
                .found_mut(rule_id, "GroupRule")?
                .memberships
                .push((group_id, user_id.to_string()));
        }
        Ok(())
    }
}

fn rule_target(rule: &GroupRule) -> Value {
    json!({ "id": rule.id, "type": "GroupRule", "alternateId": rule.name, "displayName": rule.name, "detailEntry": null })
}

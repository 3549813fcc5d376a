//! The changes a write made to the state, as one line of the `--data` journal, and their replay
//! when the file is loaded.
//!
//! A change is recorded at the grain the state is kept in: whole rows of an org's tables (a user,
//! a group with its members, a policy, ...) by their position, each either its new value or
//! `null` when it was removed; the System Log events appended; and the org's own fields. Saving
//! a write therefore costs what the write touched, not what the file holds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    ApiToken, App, AuthServer, CustomRole, Event, Group, GroupRule, Org, OrgSettings, Policy,
    PrincipalRateLimit, ResourceSet, Row, Rule, State, Table, User, Zone,
};
use crate::engine::Engine;

/// What the journal holds of an org beyond its tables' rows; never saved itself.
#[derive(Debug, Default)]
pub struct Journaled {
    /// The org's own fields as last recorded; `None` until the org is first recorded.
    header: Option<Header>,
    /// Events from this position on are not recorded yet (positions only grow).
    events_from: u64,
}

/// An org's own fields, without its tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Header {
    id: String,
    subdomain: String,
    name: String,
    website: Option<String>,
    created: i64,
    last_updated: i64,
    partner: bool,
    /// Absent in journals written before engines existed: those orgs are Identity Engine.
    #[serde(default)]
    engine: Engine,
    next_seq: u64,
    /// Absent in journals written before the org's settings could change: Okta's defaults.
    #[serde(default)]
    settings: OrgSettings,
}

impl Org {
    fn header(&self) -> Header {
        Header {
            id: self.id.clone(),
            subdomain: self.subdomain.clone(),
            name: self.name.clone(),
            website: self.website.clone(),
            created: self.created,
            last_updated: self.last_updated,
            partner: self.partner,
            engine: self.engine,
            next_seq: self.next_seq,
            settings: self.settings.clone(),
        }
    }

    fn set_header(&mut self, header: Header) {
        self.id = header.id;
        self.subdomain = header.subdomain;
        self.name = header.name;
        self.website = header.website;
        self.created = header.created;
        self.last_updated = header.last_updated;
        self.partner = header.partner;
        self.engine = header.engine;
        self.next_seq = header.next_seq;
        self.settings = header.settings;
    }

    /// An org with only its own fields, which the journal's rows then fill.
    fn empty(header: Header) -> Org {
        let mut org = Org {
            id: String::new(),
            subdomain: String::new(),
            name: String::new(),
            website: None,
            created: 0,
            last_updated: 0,
            partner: false,
            engine: Engine::default(),
            next_seq: 1,
            settings: OrgSettings::default(),
            users: Table::default(),
            groups: Table::default(),
            zones: Table::default(),
            policies: Table::default(),
            rules: Table::default(),
            tokens: Table::default(),
            service_apps: Table::default(),
            custom_roles: Table::default(),
            resource_sets: Table::default(),
            principal_rate_limits: Table::default(),
            group_rules: Table::default(),
            authorization_servers: Table::default(),
            events: BTreeMap::new(),
            logins: Default::default(),
            secrets: Default::default(),
            journaled: Journaled::default(),
            search: Default::default(),
        };
        org.set_header(header);
        org
    }

    fn has_changes(&self) -> bool {
        self.journaled.header.as_ref() != Some(&self.header())
            || self
                .events
                .range(self.journaled.events_from..)
                .next()
                .is_some()
            || !self.users.dirty.is_empty()
            || !self.groups.dirty.is_empty()
            || !self.zones.dirty.is_empty()
            || !self.policies.dirty.is_empty()
            || !self.rules.dirty.is_empty()
            || !self.tokens.dirty.is_empty()
            || !self.service_apps.dirty.is_empty()
            || !self.custom_roles.dirty.is_empty()
            || !self.resource_sets.dirty.is_empty()
            || !self.principal_rate_limits.dirty.is_empty()
            || !self.group_rules.dirty.is_empty()
            || !self.authorization_servers.dirty.is_empty()
    }

    fn forget_changes(&mut self) {
        self.journaled.header = Some(self.header());
        self.journaled.events_from = self.next_seq;
        self.users.dirty.clear();
        self.groups.dirty.clear();
        self.zones.dirty.clear();
        self.policies.dirty.clear();
        self.rules.dirty.clear();
        self.tokens.dirty.clear();
        self.service_apps.dirty.clear();
        self.custom_roles.dirty.clear();
        self.resource_sets.dirty.clear();
        self.principal_rate_limits.dirty.clear();
        self.group_rules.dirty.clear();
        self.authorization_servers.dirty.clear();
    }
}

impl<T: Row> Table<T> {
    /// The rows marked since the last record: the current value, or `None` for a removed row.
    fn changed(&self) -> Vec<(u64, Option<&T>)> {
        self.dirty
            .iter()
            .map(|seq| (*seq, self.rows.get(seq)))
            .collect()
    }

    /// Replays recorded rows; the caller rebuilds the indexes afterwards.
    fn replay(&mut self, rows: Vec<(u64, Option<T>)>) {
        for (seq, row) in rows {
            match row {
                Some(row) => self.rows.insert(seq, row),
                None => self.rows.remove(&seq),
            };
        }
    }
}

/// One journal line, as written: borrowed from the state.
#[derive(Serialize)]
struct ChangesOut<'a> {
    orgs: BTreeMap<&'a str, OrgChangesOut<'a>>,
    removed_orgs: Vec<&'a str>,
}

#[derive(Serialize)]
struct OrgChangesOut<'a> {
    header: Header,
    users: Vec<(u64, Option<&'a User>)>,
    groups: Vec<(u64, Option<&'a Group>)>,
    zones: Vec<(u64, Option<&'a Zone>)>,
    policies: Vec<(u64, Option<&'a Policy>)>,
    rules: Vec<(u64, Option<&'a Rule>)>,
    tokens: Vec<(u64, Option<&'a ApiToken>)>,
    service_apps: Vec<(u64, Option<&'a App>)>,
    custom_roles: Vec<(u64, Option<&'a CustomRole>)>,
    resource_sets: Vec<(u64, Option<&'a ResourceSet>)>,
    principal_rate_limits: Vec<(u64, Option<&'a PrincipalRateLimit>)>,
    group_rules: Vec<(u64, Option<&'a GroupRule>)>,
    authorization_servers: Vec<(u64, Option<&'a AuthServer>)>,
    events: Vec<(u64, &'a Event)>,
}

/// One journal line, as read back (the same fields as [`ChangesOut`]).
#[derive(Deserialize)]
struct ChangesIn {
    orgs: BTreeMap<String, OrgChangesIn>,
    removed_orgs: Vec<String>,
}

#[derive(Deserialize)]
struct OrgChangesIn {
    header: Header,
    users: Vec<(u64, Option<User>)>,
    groups: Vec<(u64, Option<Group>)>,
    zones: Vec<(u64, Option<Zone>)>,
    policies: Vec<(u64, Option<Policy>)>,
    rules: Vec<(u64, Option<Rule>)>,
    tokens: Vec<(u64, Option<ApiToken>)>,
    /// Absent in journals written before service apps existed.
    #[serde(default)]
    service_apps: Vec<(u64, Option<App>)>,
    /// Absent in journals written before custom roles and resource sets existed.
    #[serde(default)]
    custom_roles: Vec<(u64, Option<CustomRole>)>,
    #[serde(default)]
    resource_sets: Vec<(u64, Option<ResourceSet>)>,
    #[serde(default)]
    principal_rate_limits: Vec<(u64, Option<PrincipalRateLimit>)>,
    #[serde(default)]
    group_rules: Vec<(u64, Option<GroupRule>)>,
    /// Absent in journals written before authorization servers existed.
    #[serde(default)]
    authorization_servers: Vec<(u64, Option<AuthServer>)>,
    events: Vec<(u64, Event)>,
}

impl State {
    /// The changes since the last record or snapshot, as one journal line (no newline), and
    /// forgets them; `None` when nothing changed.
    pub fn take_changes(&mut self) -> Option<Vec<u8>> {
        let line = {
            let orgs: BTreeMap<&str, OrgChangesOut> = self
                .orgs
                .iter()
                .filter(|(_, org)| org.has_changes())
                .map(|(subdomain, org)| {
                    let changes = OrgChangesOut {
                        header: org.header(),
                        users: org.users.changed(),
                        groups: org.groups.changed(),
                        zones: org.zones.changed(),
                        policies: org.policies.changed(),
                        rules: org.rules.changed(),
                        tokens: org.tokens.changed(),
                        service_apps: org.service_apps.changed(),
                        custom_roles: org.custom_roles.changed(),
                        resource_sets: org.resource_sets.changed(),
                        principal_rate_limits: org.principal_rate_limits.changed(),
                        group_rules: org.group_rules.changed(),
                        authorization_servers: org.authorization_servers.changed(),
                        events: org
                            .events
                            .range(org.journaled.events_from..)
                            .map(|(seq, event)| (*seq, event))
                            .collect(),
                    };
                    (subdomain.as_str(), changes)
                })
                .collect();
            let removed_orgs: Vec<&str> = self
                .journaled_orgs
                .iter()
                .filter(|subdomain| !self.orgs.contains_key(*subdomain))
                .map(String::as_str)
                .collect();
            if orgs.is_empty() && removed_orgs.is_empty() {
                None
            } else {
                // Serialising plain data into memory cannot fail.
                serde_json::to_vec(&ChangesOut { orgs, removed_orgs }).ok()
            }
        };
        self.forget_changes();
        line
    }

    /// Hands the users each write touched to the orgs' search indexes (see `search_index`);
    /// runs once per write, before its marks are recorded or forgotten.
    pub fn index_searches(&mut self, now: i64, search_lag_ms: i64) {
        for org in self.orgs.values_mut() {
            org.search.record(&org.users, now, search_lag_ms);
        }
    }

    /// Marks everything as recorded: after a full snapshot, or when nothing is saved at all.
    pub fn forget_changes(&mut self) {
        for org in self.orgs.values_mut() {
            org.forget_changes();
        }
        if self.journaled_orgs.len() != self.orgs.len()
            || !self.orgs.keys().eq(self.journaled_orgs.iter())
        {
            self.journaled_orgs = self.orgs.keys().cloned().collect();
        }
    }

    /// Replays one journal line onto the state loaded so far. The indexes are rebuilt by
    /// [`State::finish_replay`] once every line is applied.
    pub fn replay_changes(&mut self, line: &[u8]) -> Result<(), serde_json::Error> {
        let changes: ChangesIn = serde_json::from_slice(line)?;
        for subdomain in changes.removed_orgs {
            self.orgs.remove(&subdomain);
        }
        for (subdomain, changes) in changes.orgs {
            let org = self
                .orgs
                .entry(subdomain)
                .or_insert_with(|| Org::empty(changes.header.clone()));
            org.set_header(changes.header);
            org.users.replay(changes.users);
            org.groups.replay(changes.groups);
            org.zones.replay(changes.zones);
            org.policies.replay(changes.policies);
            org.rules.replay(changes.rules);
            org.tokens.replay(changes.tokens);
            org.service_apps.replay(changes.service_apps);
            org.custom_roles.replay(changes.custom_roles);
            org.resource_sets.replay(changes.resource_sets);
            org.principal_rate_limits
                .replay(changes.principal_rate_limits);
            org.group_rules.replay(changes.group_rules);
            org.authorization_servers
                .replay(changes.authorization_servers);
            org.events.extend(changes.events);
        }
        Ok(())
    }

    /// Rebuilds the lookup indexes after loading, and marks the loaded state as recorded.
    pub fn finish_replay(&mut self) {
        self.reindex();
        self.forget_changes();
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Audit, NewUser};
    use super::*;
    use serde_json::json;

    fn audit(org: &str) -> Audit {
        Audit {
            org: org.to_string(),
            user_id: String::new(),
            client_id: None,
            token_id: String::new(),
            request_id: "req".to_string(),
            ip_address: "127.0.0.1".to_string(),
            user_agent: "test".to_string(),
            now: 1_700_000_000_000,
        }
    }

    fn person(login: &str) -> NewUser {
        NewUser {
            profile: serde_json::from_value(json!({
                "login": login, "email": login, "firstName": "A", "lastName": "B"
            }))
            .unwrap(),
            password: None,
            recovery_question: None,
            activate: false,
            group_ids: Vec::new(),
            expire_password: false,
        }
    }

    /// Replaying the journal over the snapshot gives the state the writes made.
    #[test]
    fn a_snapshot_plus_its_journal_replays_to_the_same_state() {
        let mut state = State::new("00partner", crate::engine::Engine::default());
        state
            .seed_org("acme", "token", crate::engine::Engine::default())
            .unwrap();
        let snapshot = serde_json::to_vec(&state).unwrap();
        state.forget_changes();
        assert_eq!(state.take_changes(), None, "nothing changed yet");

        let mut journal = Vec::new();
        let acme = state.org_mut("acme").unwrap();
        let kept = acme
            .create_user(&audit("acme"), person("kept@acme.example"))
            .unwrap();
        let kept_id = kept.id.clone();
        let gone = acme
            .create_user(&audit("acme"), person("gone@acme.example"))
            .unwrap();
        let gone_id = gone.id.clone();
        journal.push(state.take_changes().unwrap());
        let acme = state.org_mut("acme").unwrap();
        acme.delete_user(&audit("acme"), &gone_id).unwrap();
        acme.delete_user(&audit("acme"), &gone_id).unwrap();
        journal.push(state.take_changes().unwrap());
        state
            .seed_org("later", "other", crate::engine::Engine::default())
            .unwrap();
        journal.push(state.take_changes().unwrap());
        let line = String::from_utf8(journal[0].clone()).unwrap();
        assert!(!line.contains('\n'), "one line per change");
        assert!(
            line.len() < snapshot.len(),
            "a change records what it touched, not the state"
        );

        let mut replayed: State = serde_json::from_slice(&snapshot).unwrap();
        for line in &journal {
            replayed.replay_changes(line).unwrap();
        }
        replayed.finish_replay();
        assert_eq!(
            serde_json::to_value(&replayed).unwrap(),
            serde_json::to_value(&state).unwrap()
        );
        let acme = replayed.org("acme").unwrap();
        assert!(acme.find_user(&kept_id).is_ok());
        assert!(
            acme.find_user("kept@acme.example").is_ok(),
            "indexes rebuilt"
        );
        assert!(acme.find_user(&gone_id).is_err());
        assert!(
            replayed
                .org("later")
                .unwrap()
                .authenticate("other", 0)
                .is_ok()
        );
    }
}

//! The emulator's state, partitioned per org, and Okta's rules over it. Every operation checks its
//! preconditions before it changes anything, so a refused request leaves the state untouched, and
//! every successful mutation appends its System Log event.
//!
//! This file composes the state: [`State`] holds the orgs, and [`Org`] holds one org's tables.
//! Each Okta family owns its rows' types and the operations on them, in a module of its own:
//! `users` (and their factors), `roles` (admin role assignments, and what each role may do;
//! `role_targets`, the groups an assignment is narrowed to), `authz` (custom authorization
//! servers with their keys, scopes, claims and policies),
//! `groups` (and `group_roles`, the admin roles a group's members hold, and `group_rules`), `custom_roles`,
//! `resource_sets` and `bindings` (custom admin roles granted over resource sets),
//! `credentials` (a user's password and recovery answer checks, factors reset, sessions and
//! grants), `principal_rate_limits` (each credential's share of the rate limits), `apps` (app
//! integrations, OAuth clients among them: their keys, scope grants and admin roles), `zones` (network zones), `policies` (policies and their rules; `policy_defaults`
//! holds the settings Okta fills in), `tokens` (API tokens, and authentication), `logs` (the
//! System Log), `orgs` (the Org Creator API and what a new org starts with) and `org_settings`
//! (what `/api/v1/org` and its sub-resources set). `table` is the
//! row storage they share; `delta` the `--data` journal; `search_index` what `search` sees.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::ApiError;
use crate::util::okta_id;

mod apps;
mod authz;
mod bindings;
mod credentials;
mod custom_roles;
mod delta;
mod group_roles;
mod group_rules;
mod groups;
mod logs;
mod org_settings;
mod orgs;
mod policies;
mod policy_defaults;
mod principal_rate_limits;
mod resource_sets;
mod role_targets;
mod roles;
mod search_index;
mod table;
mod tokens;
mod users;
mod zones;

pub use apps::{
    App, AppGroup, AppQuery, AppStatus, AppUser, AppUserChange, ClientKey, KeyStatus,
    NewServiceApp, ScopeGrant, SigningKey as AppSigningKey, SigningRequest,
};
pub use authz::{
    AsPolicy, AsRule, AuthServer, Claim, NewAsPolicy, NewAsRule, NewAuthServer, NewClaim, NewScope,
    Scope, SigningKey,
};
pub use bindings::{Binding, BindingMember, Member};
pub use custom_roles::{CustomRole, Permission};
pub use group_rules::{GroupRule, NewGroupRule};
pub use groups::Group;
pub use logs::{Audit, Event};
pub use org_settings::{ContactType, OrgSettings};
pub use orgs::NewOrg;
pub use policies::{NewPolicy, Policy, Rule};
pub use principal_rate_limits::{PrincipalRateLimit, PrincipalRateLimitRequest};
pub use resource_sets::{Resource, ResourceSet};
pub use role_targets::RoleHolder;
pub use roles::{Grant, HeldRole, Need, RoleAssignment, role_label};
pub use table::paginate;
use table::{Row, Table};
pub use tokens::{ApiToken, Principal};
pub use users::{Lifecycle, NewUser, RecoveryQuestion, User, UserChange, UserQuery, UserStatus};
pub use zones::{NewZone, Zone};

/// The subdomain of the partner (parent) org that serves the Org Creator API.
pub const PARTNER_SUBDOMAIN: &str = "partner";

/// Everything the emulator knows; this is what `--data` saves.
#[derive(Debug, Serialize, Deserialize)]
pub struct State {
    pub orgs: BTreeMap<String, Org>,
    /// The key that signs the access tokens the orgs' authorization servers mint (HS256), so a
    /// token stays valid across a restart with `--data` and nothing per token is stored.
    /// Written in the snapshot only; absent in data files written before OAuth existed.
    #[serde(default = "token_signing_key")]
    pub token_key: String,
    /// The orgs the data file holds, so that the journal can record an org that disappears.
    #[serde(skip)]
    journaled_orgs: BTreeSet<String>,
}

impl State {
    /// Rebuilds the lookup indexes after loading from disk.
    pub fn reindex(&mut self) {
        for org in self.orgs.values_mut() {
            org.reindex();
        }
    }

    pub fn org(&self, subdomain: &str) -> Option<&Org> {
        self.orgs.get(subdomain)
    }

    pub fn org_mut(&mut self, subdomain: &str) -> Option<&mut Org> {
        self.orgs.get_mut(subdomain)
    }
}

/// One Okta org: its users, groups, policies, zones, tokens and System Log.
///
/// The `--data` journal records an org as its own fields (`delta::Header`), its tables' rows and
/// its events: a new saved field belongs in one of those, or a restart loses its changes.
#[derive(Debug, Serialize, Deserialize)]
pub struct Org {
    pub id: String,
    pub subdomain: String,
    pub name: String,
    pub website: Option<String>,
    pub created: i64,
    pub last_updated: i64,
    pub partner: bool,
    /// Identity Engine or Classic: which of Okta's documented differences apply.
    #[serde(default)]
    pub engine: Engine,
    next_seq: u64,
    /// The settings under `/api/v1/org`; absent in data files written before they could change.
    #[serde(default)]
    pub settings: OrgSettings,
    pub users: Table<User>,
    pub groups: Table<Group>,
    pub zones: Table<Zone>,
    pub policies: Table<Policy>,
    pub rules: Table<Rule>,
    pub tokens: Table<ApiToken>,
    /// Every app of the org (`/api/v1/apps`), service apps of the control plane included; the
    /// name is from when only those existed, and stays for the data files. Absent in data files
    /// written before service apps existed.
    #[serde(default)]
    pub service_apps: Table<App>,
    /// Custom admin roles; absent in data files written before they existed.
    #[serde(default)]
    pub custom_roles: Table<CustomRole>,
    /// Resource sets, each with its role bindings and their members.
    #[serde(default)]
    pub resource_sets: Table<ResourceSet>,
    /// The rate-limit shares set for API tokens and service apps.
    #[serde(default)]
    pub principal_rate_limits: Table<PrincipalRateLimit>,
    /// Group rules.
    #[serde(default)]
    pub group_rules: Table<GroupRule>,
    /// Custom authorization servers, each with its keys, scopes, claims and policies.
    #[serde(default)]
    pub authorization_servers: Table<AuthServer>,
    pub events: BTreeMap<u64, Event>,
    /// Lower-cased login to user id, for lookups by login and the uniqueness rule.
    #[serde(skip)]
    logins: HashMap<String, String>,
    /// Token secret to token id, for authentication.
    #[serde(skip)]
    secrets: HashMap<String, String>,
    /// What the data file's journal holds of this org beyond its tables' rows.
    #[serde(skip)]
    journaled: delta::Journaled,
    /// What `search` sees of the users, behind them by the search lag.
    #[serde(skip)]
    search: search_index::SearchIndex,
}

impl Org {
    fn new(
        subdomain: &str,
        name: &str,
        website: Option<String>,
        partner: bool,
        now: i64,
        engine: Engine,
    ) -> Org {
        let mut org = Org {
            id: okta_id("00o"),
            subdomain: subdomain.to_string(),
            name: name.to_string(),
            website,
            created: now,
            last_updated: now,
            partner,
            engine,
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
            logins: HashMap::new(),
            secrets: HashMap::new(),
            journaled: delta::Journaled::default(),
            search: search_index::SearchIndex::default(),
        };
        org.install_defaults(now);
        org
    }

    fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    fn reindex(&mut self) {
        self.users.reindex();
        self.groups.reindex();
        for group in self.groups.rows.values_mut() {
            group.reindex_members();
        }
        self.zones.reindex();
        self.policies.reindex();
        self.rules.reindex();
        self.tokens.reindex();
        self.service_apps.reindex();
        for app in self.service_apps.rows.values_mut() {
            app.upgrade_legacy();
        }
        self.custom_roles.reindex();
        self.resource_sets.reindex();
        self.principal_rate_limits.reindex();
        self.group_rules.reindex();
        self.authorization_servers.reindex();
        self.logins = self
            .users
            .values()
            .map(|user| (user.login().to_lowercase(), user.id.clone()))
            .collect();
        self.secrets = self
            .tokens
            .values()
            .map(|token| (token.secret.clone(), token.id.clone()))
            .collect();
    }
}

fn token_signing_key() -> String {
    crate::util::random_alphanumeric(48)
}

/// Okta's validation error (E0000001) with one cause per problem, all reported at once.
fn validation(causes: Vec<String>) -> ApiError {
    ApiError::Validation {
        summary: causes.join(", "),
        causes,
    }
}

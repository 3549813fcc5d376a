//! The emulator's state, partitioned per org, and Okta's rules over it. Every operation checks its
//! preconditions before it changes anything, so a refused request leaves the state untouched, and
//! every successful mutation appends its System Log event.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::emulator::engine::Engine;
use crate::emulator::error::ApiError;
use crate::emulator::query::Expression;
use crate::emulator::util::{api_token_secret, base32_unpadded, format_millis, okta_id, uuid_v4};

mod delta;
mod search_index;

/// The subdomain of the partner (parent) org that serves the Org Creator API.
pub const PARTNER_SUBDOMAIN: &str = "partner";

/// Everything the emulator knows; this is what `--data` saves.
#[derive(Debug, Serialize, Deserialize)]
pub struct State {
    pub orgs: BTreeMap<String, Org>,
    /// The orgs the data file holds, so that the journal can record an org that disappears.
    #[serde(skip)]
    journaled_orgs: BTreeSet<String>,
}

impl State {
    /// A fresh emulator: just the partner org, whose super admin owns `partner_token`, on
    /// `engine`.
    pub fn new(partner_token: &str, engine: Engine) -> State {
        let now = crate::emulator::util::now_millis();
        let mut partner = Org::new(PARTNER_SUBDOMAIN, "Partner Org", None, true, now, engine);
        let admin = NewUser {
            profile: serde_json::from_value(json!({
                "firstName": "Partner",
                "lastName": "Admin",
                "login": "admin@partner.example.com",
                "email": "admin@partner.example.com",
            }))
            .unwrap_or_default(),
            password: None,
            recovery_question: None,
            activate: true,
            group_ids: Vec::new(),
            expire_password: false,
        };
        partner.bootstrap_super_admin(admin, partner_token.to_string(), now);
        let mut orgs = BTreeMap::new();
        orgs.insert(PARTNER_SUBDOMAIN.to_string(), partner);
        State {
            orgs,
            journaled_orgs: BTreeSet::new(),
        }
    }

    /// A customer org that exists from the start, with a super admin owning an API token with
    /// the given secret (`okta-emulator --org SUBDOMAIN:TOKEN`), so a module's CI needs no Org
    /// Creator call. Does nothing when the org exists (a restart with `--data`): an org keeps
    /// the engine it was created on.
    pub fn seed_org(&mut self, subdomain: &str, token: &str, engine: Engine) -> Result<(), String> {
        if self.orgs.contains_key(subdomain) {
            return Ok(());
        }
        let valid = !subdomain.is_empty()
            && subdomain.len() <= 57
            && subdomain
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !subdomain.starts_with('-')
            && !subdomain.ends_with('-')
            && subdomain != "_emulator";
        if !valid {
            return Err(format!(
                "org subdomain {subdomain:?} must be at most 57 lowercase letters, digits or hyphens"
            ));
        }
        if token.trim().is_empty() {
            return Err(format!("org {subdomain:?} needs a non-empty token"));
        }
        let now = crate::emulator::util::now_millis();
        let mut org = Org::new(subdomain, subdomain, None, false, now, engine);
        let admin = NewUser {
            profile: serde_json::from_value(json!({
                "firstName": "Seeded",
                "lastName": "Admin",
                "login": format!("admin@{subdomain}.example.com"),
                "email": format!("admin@{subdomain}.example.com"),
            }))
            .unwrap_or_default(),
            password: None,
            recovery_question: None,
            activate: true,
            group_ids: Vec::new(),
            expire_password: false,
        };
        org.bootstrap_super_admin(admin, token.to_string(), now);
        self.orgs.insert(subdomain.to_string(), org);
        Ok(())
    }

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

    /// The Org Creator API: validates the request, creates the child org with its first super
    /// admin and default policies, and logs the creation in the partner org.
    pub fn create_child_org(
        &mut self,
        audit: &Audit,
        request: NewOrg,
    ) -> Result<CreatedOrg, ApiError> {
        let mut causes = Vec::new();
        let subdomain = request.subdomain.trim().to_string();
        if subdomain.is_empty() {
            causes.push("subdomain: The field cannot be left blank".to_string());
        } else if subdomain.len() > 57
            || !subdomain
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || subdomain.starts_with('-')
            || subdomain.ends_with('-')
        {
            causes.push(
                "subdomain: Must be at most 57 lowercase letters, digits or hyphens".to_string(),
            );
        } else if self.orgs.contains_key(&subdomain) || subdomain == "_emulator" {
            causes.push(
                "subdomain: An object with this field already exists in the current organization"
                    .to_string(),
            );
        }
        let name_length = request.name.chars().count();
        if request.name.trim().is_empty() {
            causes.push("name: The field cannot be left blank".to_string());
        } else if name_length > 100 {
            causes.push("name: The field must be at most 100 characters".to_string());
        }
        if request.edition != "SKU" {
            causes.push("edition: Does not match required pattern: SKU".to_string());
        }
        causes.extend(validate_profile(&request.admin.profile, true));
        if let Some(recovery_question) = &request.admin.recovery_question {
            causes.extend(recovery_question.problems());
        }
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let now = audit.now;
        // The Org Creator request names no engine, and Okta does not document which one a
        // child org gets; the emulator gives it the partner's, so a fleet is one flavour.
        let engine = self
            .orgs
            .get(&audit.org)
            .map(|partner| partner.engine)
            .unwrap_or_default();
        let mut org = Org::new(
            &subdomain,
            &request.name,
            request.website.clone(),
            false,
            now,
            engine,
        );
        if let Some(password) = &request.admin.password {
            org.check_password(password, &request.admin.profile, &[])?;
        }
        let token = api_token_secret();
        let admin_id = org.bootstrap_super_admin(request.admin, token.clone(), now);
        let org_id = org.id.clone();
        self.orgs.insert(subdomain.clone(), org);
        if let Some(partner) = self.orgs.get_mut(&audit.org) {
            partner.emit(
                audit,
                "system.org.lifecycle.create",
                "Org creation",
                vec![json!({
                    "id": org_id,
                    "type": "Org",
                    "alternateId": subdomain,
                    "displayName": request.name,
                    "detailEntry": null,
                })],
                json!({}),
            );
        }
        Ok(CreatedOrg {
            subdomain,
            token,
            admin_id,
        })
    }
}

/// The request of the Org Creator API, parsed.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub subdomain: String,
    pub name: String,
    pub website: Option<String>,
    pub edition: String,
    pub admin: NewUser,
}

pub struct CreatedOrg {
    pub subdomain: String,
    pub token: String,
    pub admin_id: String,
}

/// Who is making a request and from where: the actor of the events a mutation emits.
#[derive(Debug, Clone)]
pub struct Audit {
    pub org: String,
    pub user_id: String,
    pub token_id: String,
    pub request_id: String,
    pub ip_address: String,
    pub user_agent: String,
    pub now: i64,
}

/// The owner of a valid token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub token_id: String,
}

/// The admin privilege an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Nothing: Okta serves the endpoint without a token (`security: []` in its reference).
    Anyone,
    /// Reading anything: any admin role.
    Read,
    /// Creating and changing users: super, org or user admin.
    ManageUsers,
    /// Groups and memberships: those plus group membership admins.
    ManageGroups,
    /// Policies, network zones and API tokens: super or org admin.
    ManageSecurity,
    /// Granting and revoking admin roles: super admin only.
    ManageAdmins,
    /// The Org Creator API: a super admin of the partner org.
    CreateOrgs,
}

/// One row kind of a [`Table`].
pub trait Row {
    fn id(&self) -> &str;
}

/// Rows in creation order (the order lists page through) with an index by id.
#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(
    serialize = "T: Serialize",
    deserialize = "T: serde::de::DeserializeOwned"
))]
pub struct Table<T> {
    rows: BTreeMap<u64, T>,
    #[serde(skip)]
    positions: HashMap<String, u64>,
    /// Positions of rows inserted, changed or removed since the data file's journal last
    /// recorded this table. Every mutable access marks its row, which is what lets a write save
    /// only what it touched.
    #[serde(skip)]
    dirty: BTreeSet<u64>,
}

impl<T: Row> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: BTreeMap::new(),
            positions: HashMap::new(),
            dirty: BTreeSet::new(),
        }
    }
}

impl<T: Row> Table<T> {
    pub fn get(&self, id: &str) -> Option<&T> {
        self.positions.get(id).and_then(|seq| self.rows.get(seq))
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let seq = *self.positions.get(id)?;
        self.dirty.insert(seq);
        self.rows.get_mut(&seq)
    }

    fn insert(&mut self, seq: u64, row: T) {
        self.positions.insert(row.id().to_string(), seq);
        self.dirty.insert(seq);
        self.rows.insert(seq, row);
    }

    fn remove(&mut self, id: &str) -> Option<T> {
        let seq = self.positions.remove(id)?;
        self.dirty.insert(seq);
        self.rows.remove(&seq)
    }

    /// Rows with their positions, in creation order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, &T)> {
        self.rows.iter().map(|(seq, row)| (*seq, row))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.rows.values()
    }

    fn reindex(&mut self) {
        self.positions = self
            .rows
            .iter()
            .map(|(seq, row)| (row.id().to_string(), *seq))
            .collect();
    }
}

/// One page of a list and the position the next page starts after, if there is one.
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<u64>,
}

/// Pages rows (in order) that come after `after`, `limit` at a time.
pub fn paginate<T>(
    rows: impl Iterator<Item = (u64, T)>,
    after: Option<u64>,
    limit: usize,
) -> Page<T> {
    let mut items = Vec::new();
    let mut last = None;
    let mut more = false;
    for (seq, row) in rows.filter(|(seq, _)| after.is_none_or(|after| *seq > after)) {
        if items.len() == limit {
            more = true;
            break;
        }
        last = Some(seq);
        items.push(row);
    }
    Page {
        items,
        next_after: if more { last } else { None },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    Staged,
    Provisioned,
    Active,
    Recovery,
    PasswordExpired,
    LockedOut,
    Suspended,
    Deprovisioned,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Staged => "STAGED",
            UserStatus::Provisioned => "PROVISIONED",
            UserStatus::Active => "ACTIVE",
            UserStatus::Recovery => "RECOVERY",
            UserStatus::PasswordExpired => "PASSWORD_EXPIRED",
            UserStatus::LockedOut => "LOCKED_OUT",
            UserStatus::Suspended => "SUSPENDED",
            UserStatus::Deprovisioned => "DEPROVISIONED",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub status: UserStatus,
    pub created: i64,
    pub activated: Option<i64>,
    pub status_changed: Option<i64>,
    pub last_updated: i64,
    pub password_changed: Option<i64>,
    pub has_password: bool,
    pub has_recovery_question: bool,
    /// The recovery question's text, which Okta returns (the answer is write-only and not kept).
    /// Absent in data files written before it was kept, where only `has_recovery_question` is.
    #[serde(default)]
    pub recovery_question: Option<String>,
    pub type_id: String,
    pub profile: Map<String, Value>,
    pub roles: Vec<RoleAssignment>,
}

impl Row for User {
    fn id(&self) -> &str {
        &self.id
    }
}

impl User {
    pub fn login(&self) -> &str {
        self.profile
            .get("login")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    pub fn display_name(&self) -> String {
        let first = self
            .profile
            .get("firstName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let last = self
            .profile
            .get("lastName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        format!("{first} {last}").trim().to_string()
    }

    /// The fields `filter` and `search` look at, shaped like the wire JSON.
    pub fn search_document(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status.as_str(),
            "created": format_millis(self.created),
            "activated": self.activated.map(format_millis),
            "statusChanged": self.status_changed.map(format_millis),
            "lastUpdated": format_millis(self.last_updated),
            "type": { "id": self.type_id },
            "profile": self.profile,
        })
    }

    fn target(&self) -> Value {
        json!({
            "id": self.id,
            "type": "User",
            "alternateId": self.login(),
            "displayName": self.display_name(),
            "detailEntry": null,
        })
    }

    fn set_status(&mut self, status: UserStatus, now: i64) {
        self.status = status;
        self.status_changed = Some(now);
        self.last_updated = now;
    }
}

/// A user to create, parsed from `POST /api/v1/users` or the Org Creator's `admin`.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub profile: Map<String, Value>,
    pub password: Option<String>,
    pub recovery_question: Option<RecoveryQuestion>,
    pub activate: bool,
    pub group_ids: Vec<String>,
    pub expire_password: bool,
}

/// `credentials.recovery_question` as written; the store checks its lengths.
#[derive(Debug, Clone)]
pub struct RecoveryQuestion {
    pub question: String,
    pub answer: String,
}

impl RecoveryQuestion {
    /// Okta's `RecoveryQuestionCredential`: question and answer of 1 to 100 characters.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, text) in [("question", &self.question), ("answer", &self.answer)] {
            let length = text.chars().count();
            if text.trim().is_empty() {
                problems.push(format!(
                    "credentials.recovery_question.{name}: The field cannot be left blank"
                ));
            } else if length > 100 {
                problems.push(format!(
                    "credentials.recovery_question.{name}: The field must be at most 100 characters"
                ));
            }
        }
        problems
    }
}

/// A change to a user: `POST` merges the profile, `PUT` replaces it; either may set credentials.
#[derive(Debug, Clone)]
pub struct UserChange {
    pub profile: Option<Map<String, Value>>,
    pub replace_profile: bool,
    pub password: Option<String>,
    pub recovery_question: Option<RecoveryQuestion>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub id: String,
    pub role_type: String,
    pub created: i64,
    pub last_updated: i64,
    pub disable_notifications: bool,
}

/// The standard admin roles that can be assigned to a user, with Okta's labels.
pub const ASSIGNABLE_ROLES: &[(&str, &str)] = &[
    ("SUPER_ADMIN", "Super Administrator"),
    ("ORG_ADMIN", "Organizational Administrator"),
    ("APP_ADMIN", "Application Administrator"),
    ("USER_ADMIN", "Group Administrator"),
    ("HELP_DESK_ADMIN", "Help Desk Administrator"),
    ("READ_ONLY_ADMIN", "Read Only Administrator"),
    (
        "API_ACCESS_MANAGEMENT_ADMIN",
        "API Access Management Administrator",
    ),
    ("REPORT_ADMIN", "Report Administrator"),
    ("GROUP_MEMBERSHIP_ADMIN", "Group Membership Administrator"),
    ("WORKFLOWS_ADMIN", "Workflows Administrator"),
    (
        "ACCESS_CERTIFICATIONS_ADMIN",
        "Access Certifications Administrator",
    ),
    ("ACCESS_REQUESTS_ADMIN", "Access Requests Administrator"),
];

pub fn role_label(role_type: &str) -> &'static str {
    ASSIGNABLE_ROLES
        .iter()
        .find(|(name, _)| *name == role_type)
        .map(|(_, label)| *label)
        .unwrap_or("Administrator")
}

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
}

impl Row for Group {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Group {
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

    fn target(&self) -> Value {
        json!({
            "id": self.id,
            "type": "UserGroup",
            "alternateId": self.name,
            "displayName": self.name,
            "detailEntry": null,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Zone {
    pub id: String,
    pub name: String,
    pub status: String,
    pub usage: String,
    pub system: bool,
    pub created: i64,
    pub last_updated: i64,
    pub gateways: Vec<Value>,
    pub proxies: Vec<Value>,
}

impl Row for Zone {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A network zone to create or the full replacement of one, parsed.
#[derive(Debug, Clone)]
pub struct NewZone {
    pub zone_type: String,
    pub name: String,
    pub usage: String,
    pub gateways: Vec<Value>,
    pub proxies: Vec<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub policy_type: String,
    pub name: String,
    pub description: Option<String>,
    pub status: String,
    pub priority: u32,
    pub system: bool,
    pub created: i64,
    pub last_updated: i64,
    pub conditions: Value,
    pub settings: Value,
}

impl Row for Policy {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub policy_id: String,
    pub rule_type: String,
    pub name: String,
    pub status: String,
    pub priority: u32,
    pub system: bool,
    pub created: i64,
    pub last_updated: i64,
    pub conditions: Value,
    pub actions: Value,
}

impl Row for Rule {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A policy or rule to create, or the full replacement of one, parsed.
#[derive(Debug, Clone)]
pub struct NewPolicy {
    pub kind: String,
    pub name: String,
    pub description: Option<String>,
    pub priority: Option<u32>,
    pub active: bool,
    pub conditions: Value,
    /// `settings` of a policy, `actions` of a rule.
    pub body: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub secret: String,
    pub name: String,
    pub user_id: String,
    pub client_name: String,
    pub created: i64,
    pub last_updated: i64,
    pub network: Value,
}

impl Row for ApiToken {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub published: i64,
    pub body: Value,
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
    pub users: Table<User>,
    pub groups: Table<Group>,
    pub zones: Table<Zone>,
    pub policies: Table<Policy>,
    pub rules: Table<Rule>,
    pub tokens: Table<ApiToken>,
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
            users: Table::default(),
            groups: Table::default(),
            zones: Table::default(),
            policies: Table::default(),
            rules: Table::default(),
            tokens: Table::default(),
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
        self.zones.reindex();
        self.policies.reindex();
        self.rules.reindex();
        self.tokens.reindex();
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

    /// What every new Okta org starts with: the Everyone group, the default password and global
    /// session policies with their default rules, and the two system network zones.
    fn install_defaults(&mut self, now: i64) {
        let everyone = Group {
            id: okta_id("00g"),
            created: now,
            last_updated: now,
            last_membership_updated: now,
            built_in: true,
            name: "Everyone".to_string(),
            description: Some("All users in your organization".to_string()),
            members: BTreeMap::new(),
        };
        let everyone_id = everyone.id.clone();
        let seq = self.next_seq();
        self.groups.insert(seq, everyone);
        for (name, usage) in [("LegacyIpZone", "POLICY"), ("BlockedIpZone", "BLOCKLIST")] {
            let seq = self.next_seq();
            self.zones.insert(
                seq,
                Zone {
                    id: okta_id("nzo"),
                    name: name.to_string(),
                    status: "ACTIVE".to_string(),
                    usage: usage.to_string(),
                    system: true,
                    created: now,
                    last_updated: now,
                    gateways: Vec::new(),
                    proxies: Vec::new(),
                },
            );
        }
        let people = json!({ "people": { "groups": { "include": [everyone_id] } } });
        let password_settings = json!({
            "password": {
                "complexity": {
                    "minLength": 8, "minLowerCase": 1, "minUpperCase": 1, "minNumber": 1,
                    "minSymbol": 0, "excludeUsername": true, "excludeAttributes": [],
                    "dictionary": { "common": { "exclude": false } }
                },
                "age": { "maxAgeDays": 0, "expireWarnDays": 0, "minAgeMinutes": 0, "historyCount": 4 },
                "lockout": {
                    "maxAttempts": 10, "autoUnlockMinutes": 0, "showLockoutFailures": false,
                    "userLockoutNotificationChannels": []
                }
            },
            "recovery": { "factors": {
                "recovery_question": { "status": "ACTIVE", "properties": { "complexity": { "minLength": 4 } } },
                "okta_email": { "status": "ACTIVE", "properties": { "recoveryToken": { "tokenLifetimeMinutes": 60 } } },
                "okta_sms": { "status": "INACTIVE" },
                "okta_call": { "status": "INACTIVE" }
            } },
            "delegation": { "options": { "skipUnlock": false } }
        });
        let mut password_conditions = people.clone();
        password_conditions["authProvider"] = json!({ "provider": "OKTA" });
        let password_policy =
            self.insert_default_policy("PASSWORD", password_conditions, password_settings, now);
        self.insert_default_rule(
            &password_policy,
            "PASSWORD",
            json!({ "people": { "users": { "exclude": [] } }, "network": { "connection": "ANYWHERE" } }),
            json!({
                "passwordChange": { "access": "ALLOW" },
                "selfServicePasswordReset": { "access": "ALLOW" },
                "selfServiceUnlock": { "access": "DENY" }
            }),
            now,
        );
        let sign_on_policy = self.insert_default_policy("OKTA_SIGN_ON", people, json!({}), now);
        self.insert_default_rule(
            &sign_on_policy,
            "SIGN_ON",
            json!({
                "people": { "users": { "exclude": [] } },
                "network": { "connection": "ANYWHERE" },
                "authContext": { "authType": "ANY" }
            }),
            json!({ "signon": {
                "access": "ALLOW", "requireFactor": false,
                "primaryFactor": "PASSWORD_IDP_ANY_FACTOR",
                "session": { "usePersistentCookie": false, "maxSessionIdleMinutes": 120, "maxSessionLifetimeMinutes": 0 }
            } }),
            now,
        );
    }

    fn insert_default_policy(
        &mut self,
        policy_type: &str,
        conditions: Value,
        settings: Value,
        now: i64,
    ) -> String {
        let policy = Policy {
            id: okta_id("00p"),
            policy_type: policy_type.to_string(),
            name: "Default Policy".to_string(),
            description: Some(
                "The default policy applies in all situations if no other policy applies."
                    .to_string(),
            ),
            status: "ACTIVE".to_string(),
            priority: 1,
            system: true,
            created: now,
            last_updated: now,
            conditions,
            settings,
        };
        let id = policy.id.clone();
        let seq = self.next_seq();
        self.policies.insert(seq, policy);
        id
    }

    fn insert_default_rule(
        &mut self,
        policy_id: &str,
        rule_type: &str,
        conditions: Value,
        actions: Value,
        now: i64,
    ) {
        let seq = self.next_seq();
        self.rules.insert(
            seq,
            Rule {
                id: okta_id("0pr"),
                policy_id: policy_id.to_string(),
                rule_type: rule_type.to_string(),
                name: "Default Rule".to_string(),
                status: "ACTIVE".to_string(),
                priority: 1,
                system: true,
                created: now,
                last_updated: now,
                conditions,
                actions,
            },
        );
    }

    /// Creates an active super admin that owns a token with `secret`; used for the partner org
    /// and for the first admin of a child org. Returns the user's id.
    fn bootstrap_super_admin(&mut self, admin: NewUser, secret: String, now: i64) -> String {
        let status = if admin.password.is_some() {
            UserStatus::Active
        } else {
            UserStatus::Provisioned
        };
        let user = User {
            id: okta_id("00u"),
            status,
            created: now,
            activated: Some(now),
            status_changed: Some(now),
            last_updated: now,
            password_changed: admin.password.as_ref().map(|_| now),
            has_password: admin.password.is_some(),
            has_recovery_question: admin.recovery_question.is_some(),
            recovery_question: admin.recovery_question.map(|rq| rq.question),
            type_id: default_user_type_id(&self.id),
            profile: normalize_profile(admin.profile),
            roles: vec![RoleAssignment {
                id: okta_id("ra1"),
                role_type: "SUPER_ADMIN".to_string(),
                created: now,
                last_updated: now,
                disable_notifications: false,
            }],
        };
        let user_id = user.id.clone();
        self.logins
            .insert(user.login().to_lowercase(), user_id.clone());
        let seq = self.next_seq();
        self.users.insert(seq, user);
        let token = ApiToken {
            id: okta_id("00T"),
            secret: secret.clone(),
            name: "Org Creator API token".to_string(),
            user_id: user_id.clone(),
            client_name: "Okta API".to_string(),
            created: now,
            last_updated: now,
            network: json!({ "connection": "ANYWHERE" }),
        };
        self.secrets.insert(secret, token.id.clone());
        let seq = self.next_seq();
        self.tokens.insert(seq, token);
        user_id
    }

    /// The owner of `secret`, if it is a live token of this org.
    pub fn authenticate(&self, secret: &str) -> Result<Principal, ApiError> {
        let token_id = self.secrets.get(secret).ok_or(ApiError::InvalidToken)?;
        let token = self.tokens.get(token_id).ok_or(ApiError::InvalidToken)?;
        let owner = self
            .users
            .get(&token.user_id)
            .ok_or(ApiError::InvalidToken)?;
        if owner.status == UserStatus::Deprovisioned {
            return Err(ApiError::InvalidToken);
        }
        Ok(Principal {
            user_id: owner.id.clone(),
            token_id: token.id.clone(),
        })
    }

    /// Whether the token's owner holds an admin role that allows `need`.
    pub fn authorize(&self, principal: &Principal, need: Need) -> Result<(), ApiError> {
        let roles: Vec<&str> = self
            .users
            .get(&principal.user_id)
            .map(|user| user.roles.iter().map(|r| r.role_type.as_str()).collect())
            .unwrap_or_default();
        let has = |wanted: &[&str]| roles.iter().any(|role| wanted.contains(role));
        let allowed = match need {
            Need::Anyone => true,
            Need::Read => !roles.is_empty(),
            Need::ManageUsers => has(&["SUPER_ADMIN", "ORG_ADMIN", "USER_ADMIN"]),
            Need::ManageGroups => has(&[
                "SUPER_ADMIN",
                "ORG_ADMIN",
                "USER_ADMIN",
                "GROUP_MEMBERSHIP_ADMIN",
            ]),
            Need::ManageSecurity => has(&["SUPER_ADMIN", "ORG_ADMIN"]),
            Need::ManageAdmins => has(&["SUPER_ADMIN"]),
            Need::CreateOrgs => {
                if !self.partner {
                    return Err(ApiError::FeatureNotEnabled);
                }
                has(&["SUPER_ADMIN"])
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Appends a System Log event with the request's actor, client and transaction.
    fn emit(
        &mut self,
        audit: &Audit,
        event_type: &str,
        display_message: &str,
        targets: Vec<Value>,
        debug_data: Value,
    ) {
        let actor = match self.users.get(&audit.user_id) {
            Some(user) => json!({
                "id": user.id,
                "type": "User",
                "alternateId": user.login(),
                "displayName": user.display_name(),
                "detailEntry": null,
            }),
            None => json!({
                "id": audit.user_id,
                "type": "User",
                "alternateId": "unknown",
                "displayName": "unknown",
                "detailEntry": null,
            }),
        };
        let mut debug = json!({ "requestId": audit.request_id });
        if let (Some(debug_map), Value::Object(extra)) = (debug.as_object_mut(), debug_data) {
            debug_map.extend(extra);
        }
        let body = json!({
            "uuid": uuid_v4(),
            "published": format_millis(audit.now),
            "eventType": event_type,
            "version": "0",
            "severity": "INFO",
            "legacyEventType": null,
            "displayMessage": display_message,
            "actor": actor,
            "client": {
                "userAgent": { "rawUserAgent": audit.user_agent, "os": "Unknown", "browser": "UNKNOWN" },
                "zone": "null",
                "device": "Unknown",
                "id": null,
                "ipAddress": audit.ip_address,
                "geographicalContext": null,
            },
            "device": null,
            "authenticationContext": {
                "authenticationProvider": null,
                "credentialProvider": null,
                "credentialType": null,
                "issuer": null,
                "interface": null,
                "authenticationStep": 0,
                "externalSessionId": "trs" ,
            },
            "outcome": { "result": "SUCCESS", "reason": null },
            "securityContext": { "asNumber": null, "asOrg": null, "isp": null, "domain": null, "isProxy": null },
            "debugContext": { "debugData": debug },
            "transaction": {
                "type": "WEB",
                "id": audit.request_id,
                "detail": { "requestApiTokenId": audit.token_id },
            },
            "request": { "ipChain": [ { "ip": audit.ip_address, "geographicalContext": null, "version": "V4", "source": null } ] },
            "target": targets,
        });
        let seq = self.next_seq();
        self.events.insert(
            seq,
            Event {
                published: audit.now,
                body,
            },
        );
    }

    // ----- users -------------------------------------------------------------------------

    /// A user by id, login, or unambiguous login short name (the part before `@`).
    pub fn find_user(&self, id_or_login: &str) -> Result<&User, ApiError> {
        if let Some(user) = self.users.get(id_or_login) {
            return Ok(user);
        }
        if let Some(id) = self.logins.get(&id_or_login.to_lowercase())
            && let Some(user) = self.users.get(id)
        {
            return Ok(user);
        }
        if !id_or_login.contains('@') {
            let wanted = id_or_login.to_lowercase();
            let mut matches = self.users.values().filter(|user| {
                user.login()
                    .to_lowercase()
                    .split_once('@')
                    .is_some_and(|(short, _)| short == wanted)
            });
            if let (Some(user), None) = (matches.next(), matches.next()) {
                return Ok(user);
            }
        }
        Err(ApiError::not_found(id_or_login, "User"))
    }

    fn user_id_of(&self, id_or_login: &str) -> Result<String, ApiError> {
        self.find_user(id_or_login).map(|user| user.id.clone())
    }

    pub fn create_user(&mut self, audit: &Audit, request: NewUser) -> Result<&User, ApiError> {
        let mut causes = validate_profile(&request.profile, false);
        if let Some(recovery_question) = &request.recovery_question {
            causes.extend(recovery_question.problems());
        }
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let login = request
            .profile
            .get("login")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase();
        if self.logins.contains_key(&login) {
            return Err(validation(vec![
                "login: An object with this field already exists in the current organization"
                    .to_string(),
            ]));
        }
        if request.expire_password && request.password.is_none() {
            return Err(ApiError::invalid(
                "Could not create user. To create a user and expire their password immediately, a password must be specified",
            ));
        }
        if request.expire_password && !request.activate {
            return Err(ApiError::invalid(
                "Could not create user. To create a user and expire their password immediately, \"activate\" must be true",
            ));
        }
        for group_id in &request.group_ids {
            match self.groups.get(group_id) {
                Some(group) if !group.built_in => {}
                _ => {
                    return Err(ApiError::invalid(format!(
                        "groupIds: Group {group_id} does not exist or cannot take members"
                    )));
                }
            }
        }
        if let Some(password) = &request.password {
            self.check_password(password, &request.profile, &request.group_ids)?;
        }
        let now = audit.now;
        let status = match (request.activate, request.password.is_some()) {
            (false, _) => UserStatus::Staged,
            (true, true) if request.expire_password => UserStatus::PasswordExpired,
            (true, true) => UserStatus::Active,
            (true, false) => UserStatus::Provisioned,
        };
        let user = User {
            id: okta_id("00u"),
            status,
            created: now,
            activated: request.activate.then_some(now),
            status_changed: request.activate.then_some(now),
            last_updated: now,
            password_changed: request.password.as_ref().map(|_| now),
            has_password: request.password.is_some(),
            has_recovery_question: request.recovery_question.is_some(),
            recovery_question: request.recovery_question.map(|rq| rq.question),
            type_id: default_user_type_id(&self.id),
            profile: normalize_profile(request.profile),
            roles: Vec::new(),
        };
        let user_id = user.id.clone();
        let target = user.target();
        self.logins.insert(login, user_id.clone());
        let seq = self.next_seq();
        self.users.insert(seq, user);
        self.emit(
            audit,
            "user.lifecycle.create",
            "Create Okta user",
            vec![target.clone()],
            json!({}),
        );
        if request.activate {
            self.emit(
                audit,
                "user.lifecycle.activate",
                "Activate Okta user",
                vec![target],
                json!({}),
            );
        }
        for group_id in request.group_ids {
            self.add_member(audit, &group_id, &user_id)?;
        }
        Ok(self.users.get(&user_id).expect("just inserted"))
    }

    /// `POST` (merge) or `PUT` (replace) of a user's profile and credentials.
    ///
    /// A password set here is an administrative set (Okta validates it against the password
    /// policy, not against the old password). It completes what the user could not finish alone:
    /// `PROVISIONED` (activation pending), `PASSWORD_EXPIRED` and `RECOVERY` users become `ACTIVE`
    /// (Okta's knowledge base: an admin-set password activates a user without the e-mail). A
    /// `STAGED` user keeps its status and gets the password, so that a later activation makes it
    /// `ACTIVE`. `DEPROVISIONED` users are not updated (Okta allows profile updates of
    /// deactivated users only with an Admin Console option that is off by default).
    pub fn update_user(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        change: UserChange,
    ) -> Result<&User, ApiError> {
        let user = self.find_user(id_or_login)?;
        let user_id = user.id.clone();
        if user.status == UserStatus::Deprovisioned {
            return Err(ApiError::WrongUserStatus);
        }
        let new_profile = match change.profile {
            Some(profile) if change.replace_profile => normalize_profile(profile),
            Some(profile) => {
                let mut merged = user.profile.clone();
                merged.extend(profile);
                merged
            }
            None if change.replace_profile => {
                return Err(validation(vec![
                    "profile: The field cannot be left blank".to_string(),
                ]));
            }
            None => user.profile.clone(),
        };
        let mut causes = validate_profile(&new_profile, false);
        if let Some(recovery_question) = &change.recovery_question {
            causes.extend(recovery_question.problems());
        }
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let old_login = user.login().to_lowercase();
        let new_login = new_profile
            .get("login")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase();
        if new_login != old_login && self.logins.contains_key(&new_login) {
            return Err(validation(vec![
                "login: An object with this field already exists in the current organization"
                    .to_string(),
            ]));
        }
        if let Some(password) = &change.password {
            self.check_password(password, &new_profile, &[])?;
        }
        let now = audit.now;
        let user = self
            .users
            .get_mut(&user_id)
            .ok_or_else(|| ApiError::not_found(&user_id, "User"))?;
        let profile_changed = user.profile != new_profile;
        user.profile = new_profile;
        user.last_updated = now;
        if change.password.is_some() {
            user.has_password = true;
            user.password_changed = Some(now);
            if matches!(
                user.status,
                UserStatus::Provisioned | UserStatus::PasswordExpired | UserStatus::Recovery
            ) {
                user.set_status(UserStatus::Active, now);
            }
        }
        if let Some(recovery_question) = change.recovery_question {
            user.has_recovery_question = true;
            user.recovery_question = Some(recovery_question.question);
        }
        let target = user.target();
        self.logins.remove(&old_login);
        self.logins.insert(new_login, user_id.clone());
        if profile_changed {
            self.emit(
                audit,
                "user.account.update_profile",
                "Update user profile for Okta",
                vec![target.clone()],
                json!({}),
            );
        }
        // Okta's event catalogue has no lifecycle event for the activation an admin-set password
        // completes, and none for a changed recovery question: the password event is the record.
        if change.password.is_some() {
            self.emit(
                audit,
                "user.account.update_password",
                "Update password for user",
                vec![target],
                json!({}),
            );
        }
        self.users
            .get(&user_id)
            .ok_or_else(|| ApiError::not_found(user_id, "User"))
    }

    /// Runs one lifecycle operation and returns the user afterwards.
    pub fn lifecycle(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        operation: Lifecycle,
    ) -> Result<&User, ApiError> {
        use UserStatus::*;
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.get(&user_id).expect("found");
        let status = user.status;
        let (next, event_type, message) = match operation {
            Lifecycle::Activate => match status {
                Staged | Deprovisioned => (
                    if user.has_password {
                        Active
                    } else {
                        Provisioned
                    },
                    "user.lifecycle.activate",
                    "Activate Okta user",
                ),
                Active => return Err(ApiError::AlreadyActive),
                _ => return Err(ApiError::WrongUserStatus),
            },
            Lifecycle::Reactivate => match status {
                Provisioned | Recovery => {
                    (status, "user.lifecycle.reactivate", "Reactivate Okta user")
                }
                _ => return Err(ApiError::WrongUserStatus),
            },
            Lifecycle::Deactivate => match status {
                Deprovisioned => return Err(ApiError::WrongUserStatus),
                _ => (
                    Deprovisioned,
                    "user.lifecycle.deactivate",
                    "Deactivate Okta user",
                ),
            },
            Lifecycle::Suspend => match status {
                Active => (Suspended, "user.lifecycle.suspend", "Suspend Okta user"),
                _ => {
                    return Err(ApiError::invalid(
                        "Cannot suspend a user that is not active",
                    ));
                }
            },
            Lifecycle::Unsuspend => match status {
                Suspended => (Active, "user.lifecycle.unsuspend", "Unsuspend Okta user"),
                _ => {
                    return Err(ApiError::invalid(
                        "Cannot unsuspend a user that is not suspended",
                    ));
                }
            },
            Lifecycle::Unlock => match status {
                LockedOut => (
                    Active,
                    "user.account.unlock_by_admin",
                    "User account unlock by admin",
                ),
                _ => return Err(ApiError::UnlockNotAllowed),
            },
            Lifecycle::ExpirePassword => match status {
                Active | PasswordExpired if user.has_password => (
                    PasswordExpired,
                    "user.account.expire_password",
                    "Expire user password",
                ),
                _ => return Err(ApiError::WrongUserStatus),
            },
            Lifecycle::ResetPassword => match status {
                Active | PasswordExpired | LockedOut | Recovery => (
                    Recovery,
                    "user.account.reset_password",
                    "Reset user password",
                ),
                _ => return Err(ApiError::WrongUserStatus),
            },
        };
        let now = audit.now;
        let user = self.users.get_mut(&user_id).expect("found");
        if next != status || operation == Lifecycle::Activate {
            user.set_status(next, now);
        } else {
            user.last_updated = now;
        }
        if operation == Lifecycle::Activate {
            user.activated = Some(now);
        }
        if operation == Lifecycle::ResetPassword {
            user.has_password = false;
        }
        let target = user.target();
        self.emit(audit, event_type, message, vec![target], json!({}));
        if next == Deprovisioned {
            self.revoke_tokens_of(audit, &user_id);
        }
        Ok(self.users.get(&user_id).expect("found"))
    }

    /// What too many failed sign-ins do (the emulator has no sign-in API, so the control plane
    /// asks for it): an `ACTIVE`, `PASSWORD_EXPIRED` or `RECOVERY` user becomes `LOCKED_OUT`, with
    /// the user itself as the actor of the `user.account.lock` event.
    pub fn lock_out(&mut self, id_or_login: &str, audit: &Audit) -> Result<&User, ApiError> {
        use UserStatus::*;
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.get_mut(&user_id).expect("found");
        if !matches!(user.status, Active | PasswordExpired | Recovery) {
            return Err(ApiError::invalid(
                "Only a user who can sign in (ACTIVE, PASSWORD_EXPIRED or RECOVERY) can be locked out",
            ));
        }
        user.set_status(LockedOut, audit.now);
        let target = user.target();
        let audit = Audit {
            user_id: user_id.clone(),
            token_id: String::new(),
            ..audit.clone()
        };
        self.emit(
            &audit,
            "user.account.lock",
            "Max sign in attempts exceeded",
            vec![target],
            json!({}),
        );
        Ok(self.users.get(&user_id).expect("found"))
    }

    /// A deactivated user's tokens die with it.
    fn revoke_tokens_of(&mut self, audit: &Audit, user_id: &str) {
        let revoked: Vec<ApiToken> = self
            .tokens
            .values()
            .filter(|token| token.user_id == user_id)
            .cloned()
            .collect();
        for token in revoked {
            self.tokens.remove(&token.id);
            self.secrets.remove(&token.secret);
            self.emit(
                audit,
                "system.api_token.revoke",
                "Revoke API token",
                vec![token_target(&token)],
                json!({}),
            );
        }
    }

    /// `DELETE /api/v1/users/{id}`: deactivates a user that is not deprovisioned yet, deletes
    /// one that is. Returns whether the user is gone.
    pub fn delete_user(&mut self, audit: &Audit, id_or_login: &str) -> Result<bool, ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.get(&user_id).expect("found");
        if user.status != UserStatus::Deprovisioned {
            self.lifecycle(audit, &user_id, Lifecycle::Deactivate)?;
            return Ok(false);
        }
        let target = user.target();
        let login = user.login().to_lowercase();
        self.emit(
            audit,
            "user.lifecycle.delete.initiated",
            "Delete Okta user initiated",
            vec![target.clone()],
            json!({}),
        );
        self.users.remove(&user_id);
        self.logins.remove(&login);
        // Only the groups that held the user change (and are saved again).
        let holding: Vec<String> = self
            .groups
            .values()
            .filter(|group| group.members.values().any(|member| member == &user_id))
            .map(|group| group.id.clone())
            .collect();
        for group_id in holding {
            if let Some(group) = self.groups.get_mut(&group_id) {
                group.members.retain(|_, member| member != &user_id);
            }
        }
        self.emit(
            audit,
            "user.lifecycle.delete.completed",
            "Delete Okta user completed",
            vec![target],
            json!({}),
        );
        Ok(true)
    }

    /// Users in creation order that match the query; see [`UserQuery`].
    pub fn list_users(&self, query: &UserQuery) -> Page<&User> {
        let indexed = match &query.expression {
            Some(_) if !query.exact_case => self.search.view(query.now, query.search_lag_ms),
            _ => None,
        };
        if let (Some(indexed), Some(expression)) = (indexed, &query.expression) {
            // `search` matches what the index holds and answers with the users as they are;
            // a user removed since is left out, as the emulator keeps no stale copy to show.
            let rows = indexed
                .into_iter()
                .filter(|(_, document)| expression.matches(document))
                .filter_map(|(seq, _)| self.users.rows.get(&seq).map(|user| (seq, user)));
            return paginate(rows, query.after, query.limit);
        }
        let rows = self
            .users
            .iter()
            .filter(|(_, user)| match &query.expression {
                Some(expression) if query.exact_case => {
                    expression.matches_exact_case(&user.search_document())
                }
                Some(expression) => expression.matches(&user.search_document()),
                None => user.status != UserStatus::Deprovisioned,
            });
        let rows = rows.filter(|(_, user)| match &query.starts_with {
            Some(prefix) => {
                let prefix = prefix.to_lowercase();
                ["firstName", "lastName", "email"].iter().any(|field| {
                    user.profile
                        .get(*field)
                        .and_then(Value::as_str)
                        .is_some_and(|value| value.to_lowercase().starts_with(&prefix))
                })
            }
            None => true,
        });
        paginate(rows, query.after, query.limit)
    }

    // ----- admin roles -------------------------------------------------------------------

    pub fn assign_role(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        role_type: &str,
        disable_notifications: bool,
    ) -> Result<(&User, usize), ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        if role_type == "CUSTOM" {
            return Err(ApiError::Unsupported {
                what: "custom role assignments".to_string(),
            });
        }
        if !ASSIGNABLE_ROLES.iter().any(|(name, _)| *name == role_type) {
            return Err(ApiError::invalid(format!(
                "type: '{role_type}' is not a valid role type"
            )));
        }
        let user = self.users.get(&user_id).expect("found");
        if user.roles.iter().any(|role| role.role_type == role_type) {
            return Err(ApiError::DuplicateRole);
        }
        let id = match role_type {
            "APP_ADMIN" | "USER_ADMIN" | "HELP_DESK_ADMIN" | "GROUP_MEMBERSHIP_ADMIN" => {
                base32_unpadded(role_type)
            }
            _ => okta_id("ra1"),
        };
        let now = audit.now;
        let user = self.users.get_mut(&user_id).expect("found");
        user.roles.push(RoleAssignment {
            id: id.clone(),
            role_type: role_type.to_string(),
            created: now,
            last_updated: now,
            disable_notifications,
        });
        let index = user.roles.len() - 1;
        let held: Vec<&str> = user
            .roles
            .iter()
            .map(|r| role_label(&r.role_type))
            .collect();
        // `disableNotifications` is the emulator's own addition to the debug data, so tests can
        // see whether the grant asked Okta not to e-mail the new admin.
        let debug = json!({
            "privilegeGranted": held.join(", "),
            "disableNotifications": disable_notifications,
        });
        let targets = vec![
            user.target(),
            role_change_target(RoleChange::Assigned),
            json!({ "id": id, "type": "ROLE", "alternateId": id, "displayName": role_label(role_type), "detailEntry": null }),
        ];
        self.emit(
            audit,
            "user.account.privilege.grant",
            "Grant user privilege",
            targets,
            debug,
        );
        Ok((self.users.get(&user_id).expect("found"), index))
    }

    /// The id of a user's security question factor. Okta's question factors have ids that start
    /// with `ufs`; one per user, so it is derived from the user's id.
    pub fn question_factor_id(user_id: &str) -> String {
        format!("ufs{}", user_id.strip_prefix("00u").unwrap_or(user_id))
    }

    /// `DELETE /api/v1/users/{id}/factors/{factorId}`: unenrolls a factor. The only factor the
    /// emulator keeps is the security question, so this removes the recovery question.
    pub fn delete_factor(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        factor_id: &str,
    ) -> Result<(), ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let user = self
            .users
            .get_mut(&user_id)
            .ok_or_else(|| ApiError::not_found(id_or_login, "User"))?;
        if !user.has_recovery_question || factor_id != Org::question_factor_id(&user_id) {
            return Err(ApiError::not_found(factor_id, "UserFactor"));
        }
        user.has_recovery_question = false;
        user.recovery_question = None;
        user.last_updated = audit.now;
        let target = user.target();
        self.emit(
            audit,
            "user.mfa.factor.deactivate",
            "Reset factor for user",
            vec![target],
            json!({ "factor": "question" }),
        );
        Ok(())
    }

    pub fn unassign_role(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        assignment_id: &str,
    ) -> Result<(), ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.get_mut(&user_id).expect("found");
        let index = user
            .roles
            .iter()
            .position(|role| role.id == assignment_id)
            .ok_or_else(|| ApiError::not_found(assignment_id, "RoleAssignment"))?;
        let removed = user.roles.remove(index);
        user.last_updated = audit.now;
        let held: Vec<&str> = user
            .roles
            .iter()
            .map(|r| role_label(&r.role_type))
            .collect();
        let debug = json!({ "privilegeRevoked": role_label(&removed.role_type), "privilegeGranted": held.join(", ") });
        // Okta's catalogue: `privilege.revoke` means "all of user's admin privilege revoked";
        // removing one role of several is a `privilege.grant` (the user's privileges changed)
        // whose targets say the role was unassigned.
        let all_revoked = user.roles.is_empty();
        let change = if all_revoked {
            RoleChange::AllRevoked
        } else {
            RoleChange::Unassigned
        };
        let targets = vec![
            user.target(),
            role_change_target(change),
            json!({ "id": removed.id, "type": "ROLE", "alternateId": removed.id, "displayName": role_label(&removed.role_type), "detailEntry": null }),
        ];
        let (event_type, message) = if all_revoked {
            ("user.account.privilege.revoke", "Revoke user privilege")
        } else {
            ("user.account.privilege.grant", "Grant user privilege")
        };
        self.emit(audit, event_type, message, targets, debug);
        Ok(())
    }

    // ----- groups ------------------------------------------------------------------------

    pub fn find_group(&self, id: &str) -> Result<&Group, ApiError> {
        self.groups
            .get(id)
            .ok_or_else(|| ApiError::not_found(id, "UserGroup"))
    }

    pub fn create_group(
        &mut self,
        audit: &Audit,
        name: String,
        description: Option<String>,
    ) -> Result<&Group, ApiError> {
        self.validate_group_name(&name, None)?;
        let now = audit.now;
        let group = Group {
            id: okta_id("00g"),
            created: now,
            last_updated: now,
            last_membership_updated: now,
            built_in: false,
            name,
            description,
            members: BTreeMap::new(),
        };
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
        Ok(self.groups.get(&id).expect("just inserted"))
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
        let group = self.groups.get_mut(id).expect("found");
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
        Ok(self.groups.get(id).expect("found"))
    }

    pub fn delete_group(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let group = self.find_group(id)?;
        if group.built_in {
            return Err(ApiError::Forbidden);
        }
        let target = group.target();
        self.groups.remove(id);
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
        let group = self.find_group(group_id)?;
        if group.built_in {
            return Err(ApiError::Forbidden);
        }
        let user_id = self.user_id_of(user)?;
        if group.members.values().any(|member| member == &user_id) {
            return Ok(());
        }
        let seq = self.next_seq();
        let group = self.groups.get_mut(group_id).expect("found");
        group.members.insert(seq, user_id.clone());
        group.last_membership_updated = audit.now;
        let group_target = group.target();
        let user_target = self.users.get(&user_id).expect("found").target();
        self.emit(
            audit,
            "group.user_membership.add",
            "Add user to group membership",
            vec![user_target, group_target],
            json!({}),
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
        let group = self.groups.get_mut(group_id).expect("found");
        let before = group.members.len();
        group.members.retain(|_, member| member != &user_id);
        if group.members.len() == before {
            return Ok(());
        }
        group.last_membership_updated = audit.now;
        let group_target = group.target();
        let user_target = self.users.get(&user_id).expect("found").target();
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
            .filter(|group| group.built_in || group.members.values().any(|m| m == user_id))
            .collect()
    }

    // ----- network zones -----------------------------------------------------------------

    pub fn find_zone(&self, id: &str) -> Result<&Zone, ApiError> {
        self.zones
            .get(id)
            .ok_or_else(|| ApiError::not_found(id, "NetworkZone"))
    }

    fn validate_zone(&self, zone: &NewZone, except: Option<&str>) -> Result<(), ApiError> {
        if zone.zone_type != "IP" {
            return Err(ApiError::Unsupported {
                what: format!("{} network zones", zone.zone_type),
            });
        }
        let mut causes = Vec::new();
        if zone.name.trim().is_empty() {
            causes.push("name: The field cannot be left blank".to_string());
        } else if zone.name.chars().count() > 128 {
            causes.push("name: The field must be at most 128 characters".to_string());
        } else if self
            .zones
            .values()
            .any(|z| Some(z.id.as_str()) != except && z.name == zone.name)
        {
            causes.push(
                "name: An object with this field already exists in the current organization"
                    .to_string(),
            );
        }
        if !["POLICY", "BLOCKLIST"].contains(&zone.usage.as_str()) {
            causes.push("usage: Must be POLICY or BLOCKLIST".to_string());
        }
        for (field, entries) in [("gateways", &zone.gateways), ("proxies", &zone.proxies)] {
            if entries.len() > 150 {
                causes.push(format!("{field}: At most 150 entries are allowed"));
            }
            for entry in entries.iter() {
                let kind = entry
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let value = entry
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let valid = match kind {
                    "CIDR" => valid_cidr(value),
                    "RANGE" => valid_range(value),
                    _ => false,
                };
                if !valid {
                    causes.push(format!("{field}: Invalid {kind} value: {value}"));
                }
            }
        }
        if causes.is_empty() {
            Ok(())
        } else {
            Err(validation(causes))
        }
    }

    pub fn create_zone(&mut self, audit: &Audit, zone: NewZone) -> Result<&Zone, ApiError> {
        self.validate_zone(&zone, None)?;
        let now = audit.now;
        let zone = Zone {
            id: okta_id("nzo"),
            name: zone.name,
            status: "ACTIVE".to_string(),
            usage: zone.usage,
            system: false,
            created: now,
            last_updated: now,
            gateways: zone.gateways,
            proxies: zone.proxies,
        };
        let id = zone.id.clone();
        let target = zone_target(&zone);
        let seq = self.next_seq();
        self.zones.insert(seq, zone);
        self.emit(
            audit,
            "zone.create",
            "Network zone create",
            vec![target],
            json!({}),
        );
        Ok(self.zones.get(&id).expect("just inserted"))
    }

    pub fn update_zone(
        &mut self,
        audit: &Audit,
        id: &str,
        zone: NewZone,
    ) -> Result<&Zone, ApiError> {
        self.find_zone(id)?;
        self.validate_zone(&zone, Some(id))?;
        let stored = self.zones.get_mut(id).expect("found");
        stored.name = zone.name;
        stored.usage = zone.usage;
        stored.gateways = zone.gateways;
        stored.proxies = zone.proxies;
        stored.last_updated = audit.now;
        let target = zone_target(stored);
        self.emit(
            audit,
            "zone.update",
            "Network zone update",
            vec![target],
            json!({}),
        );
        Ok(self.zones.get(id).expect("found"))
    }

    pub fn set_zone_status(
        &mut self,
        audit: &Audit,
        id: &str,
        active: bool,
    ) -> Result<&Zone, ApiError> {
        self.find_zone(id)?;
        let zone = self.zones.get_mut(id).expect("found");
        zone.status = if active { "ACTIVE" } else { "INACTIVE" }.to_string();
        zone.last_updated = audit.now;
        let target = zone_target(zone);
        let (event, message) = if active {
            ("zone.activate", "Network zone activate")
        } else {
            ("zone.deactivate", "Network zone deactivate")
        };
        self.emit(audit, event, message, vec![target], json!({}));
        Ok(self.zones.get(id).expect("found"))
    }

    pub fn delete_zone(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let zone = self.find_zone(id)?;
        if zone.system {
            return Err(ApiError::invalid("Cannot delete a system network zone"));
        }
        if zone.status == "ACTIVE" {
            return Err(ApiError::invalid(
                "Cannot delete an active network zone; deactivate it first",
            ));
        }
        let used = self.rules.values().any(|rule| {
            rule.conditions
                .pointer("/network/include")
                .and_then(Value::as_array)
                .is_some_and(|ids| ids.iter().any(|z| z.as_str() == Some(id)))
                || rule
                    .conditions
                    .pointer("/network/exclude")
                    .and_then(Value::as_array)
                    .is_some_and(|ids| ids.iter().any(|z| z.as_str() == Some(id)))
        });
        if used {
            return Err(ApiError::invalid(
                "Cannot delete a network zone that is used by a policy rule",
            ));
        }
        let target = zone_target(zone);
        self.zones.remove(id);
        self.emit(
            audit,
            "zone.delete",
            "Network zone delete",
            vec![target],
            json!({}),
        );
        Ok(())
    }

    // ----- policies and rules ------------------------------------------------------------

    pub fn find_policy(&self, id: &str) -> Result<&Policy, ApiError> {
        self.policies
            .get(id)
            .ok_or_else(|| ApiError::not_found(id, "Policy"))
    }

    /// Policies of a type in priority order (the default policy last).
    pub fn policies_of_type(&self, policy_type: &str) -> Vec<&Policy> {
        let mut policies: Vec<&Policy> = self
            .policies
            .values()
            .filter(|policy| policy.policy_type == policy_type)
            .collect();
        policies.sort_by_key(|policy| policy.priority);
        policies
    }

    pub fn rules_of(&self, policy_id: &str) -> Vec<&Rule> {
        let mut rules: Vec<&Rule> = self
            .rules
            .values()
            .filter(|rule| rule.policy_id == policy_id)
            .collect();
        rules.sort_by_key(|rule| rule.priority);
        rules
    }

    fn validate_people(&self, conditions: &Value) -> Result<(), ApiError> {
        let mut causes = Vec::new();
        for pointer in ["/people/groups/include", "/people/groups/exclude"] {
            for id in conditions
                .pointer(pointer)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = id.as_str().unwrap_or_default();
                if self.groups.get(id).is_none() {
                    causes.push(format!(
                        "conditions.people.groups: Group {id} does not exist"
                    ));
                }
            }
        }
        for pointer in ["/people/users/include", "/people/users/exclude"] {
            for id in conditions
                .pointer(pointer)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = id.as_str().unwrap_or_default();
                if self.users.get(id).is_none() {
                    causes.push(format!("conditions.people.users: User {id} does not exist"));
                }
            }
        }
        for pointer in ["/network/include", "/network/exclude"] {
            for id in conditions
                .pointer(pointer)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = id.as_str().unwrap_or_default();
                if self.zones.get(id).is_none() {
                    causes.push(format!(
                        "conditions.network: Network zone {id} does not exist"
                    ));
                }
            }
        }
        if let Some(connection) = conditions
            .pointer("/network/connection")
            .and_then(Value::as_str)
            && !["ANYWHERE", "ZONE"].contains(&connection)
        {
            causes.push("conditions.network.connection: Must be ANYWHERE or ZONE".to_string());
        }
        if causes.is_empty() {
            Ok(())
        } else {
            Err(validation(causes))
        }
    }

    /// The status a new policy starts with, from the `activate` query parameter of its create
    /// (which only Classic Engine takes); the body's `status` still wins.
    pub fn new_policy_active(&self, activate: Option<bool>) -> Result<bool, ApiError> {
        self.engine.new_policy_active(activate)
    }

    pub fn create_policy(
        &mut self,
        audit: &Audit,
        request: NewPolicy,
    ) -> Result<&Policy, ApiError> {
        if !["PASSWORD", "OKTA_SIGN_ON"].contains(&request.kind.as_str()) {
            return Err(ApiError::Unsupported {
                what: format!("{} policies", request.kind),
            });
        }
        validate_name(&request.name)?;
        self.validate_people(&request.conditions)?;
        let (conditions, settings) =
            with_policy_defaults(&request.kind, request.conditions, request.body);
        let now = audit.now;
        let policy = Policy {
            id: okta_id("00p"),
            policy_type: request.kind.clone(),
            name: request.name,
            description: request.description,
            status: if request.active { "ACTIVE" } else { "INACTIVE" }.to_string(),
            priority: u32::MAX,
            system: false,
            created: now,
            last_updated: now,
            conditions,
            settings,
        };
        let id = policy.id.clone();
        let seq = self.next_seq();
        self.policies.insert(seq, policy);
        self.place_policy(&request.kind, &id, request.priority);
        let target = policy_target(self.policies.get(&id).expect("inserted"));
        self.emit(
            audit,
            "policy.lifecycle.create",
            "Create policy",
            vec![target],
            json!({}),
        );
        Ok(self.policies.get(&id).expect("inserted"))
    }

    /// Moves a policy to `priority` (1 is first) among the non-system policies of its type and
    /// renumbers them; the default policy always stays last.
    fn place_policy(&mut self, policy_type: &str, id: &str, priority: Option<u32>) {
        let mut ordered: Vec<String> = self
            .policies_of_type(policy_type)
            .into_iter()
            .filter(|policy| !policy.system && policy.id != id)
            .map(|policy| policy.id.clone())
            .collect();
        let system: Vec<String> = self
            .policies_of_type(policy_type)
            .into_iter()
            .filter(|policy| policy.system)
            .map(|policy| policy.id.clone())
            .collect();
        let index = priority
            .map(|p| (p.max(1) as usize - 1).min(ordered.len()))
            .unwrap_or(ordered.len());
        if !id.is_empty() && !system.iter().any(|s| s == id) {
            ordered.insert(index, id.to_string());
        }
        for (position, policy_id) in ordered.iter().chain(system.iter()).enumerate() {
            if let Some(policy) = self.policies.get_mut(policy_id) {
                policy.priority = position as u32 + 1;
            }
        }
    }

    fn place_rule(&mut self, policy_id: &str, id: &str, priority: Option<u32>) {
        let rules = self.rules_of(policy_id);
        let mut ordered: Vec<String> = rules
            .iter()
            .filter(|rule| !rule.system && rule.id != id)
            .map(|rule| rule.id.clone())
            .collect();
        let system: Vec<String> = rules
            .iter()
            .filter(|rule| rule.system)
            .map(|rule| rule.id.clone())
            .collect();
        let index = priority
            .map(|p| (p.max(1) as usize - 1).min(ordered.len()))
            .unwrap_or(ordered.len());
        if !id.is_empty() && !system.iter().any(|s| s == id) {
            ordered.insert(index, id.to_string());
        }
        for (position, rule_id) in ordered.iter().chain(system.iter()).enumerate() {
            if let Some(rule) = self.rules.get_mut(rule_id) {
                rule.priority = position as u32 + 1;
            }
        }
    }

    pub fn replace_policy(
        &mut self,
        audit: &Audit,
        id: &str,
        request: NewPolicy,
    ) -> Result<&Policy, ApiError> {
        let policy = self.find_policy(id)?;
        if request.kind != policy.policy_type {
            return Err(ApiError::invalid("type: The policy type cannot be changed"));
        }
        if policy.system && request.name != policy.name {
            return Err(ApiError::invalid(
                "name: The default policy cannot be renamed",
            ));
        }
        validate_name(&request.name)?;
        self.validate_people(&request.conditions)?;
        let policy_type = policy.policy_type.clone();
        let (conditions, settings) =
            with_policy_defaults(&policy_type, request.conditions, request.body);
        let policy = self.policies.get_mut(id).expect("found");
        policy.name = request.name;
        policy.description = request.description;
        policy.conditions = conditions;
        policy.settings = settings;
        policy.last_updated = audit.now;
        if request.priority.is_some() {
            self.place_policy(&policy_type, id, request.priority);
        }
        let target = policy_target(self.policies.get(id).expect("found"));
        self.emit(
            audit,
            "policy.lifecycle.update",
            "Update policy",
            vec![target],
            json!({}),
        );
        Ok(self.policies.get(id).expect("found"))
    }

    pub fn set_policy_status(
        &mut self,
        audit: &Audit,
        id: &str,
        active: bool,
    ) -> Result<(), ApiError> {
        let policy = self.find_policy(id)?;
        if policy.system && !active {
            return Err(ApiError::invalid("Cannot deactivate the default policy"));
        }
        let policy = self.policies.get_mut(id).expect("found");
        policy.status = if active { "ACTIVE" } else { "INACTIVE" }.to_string();
        policy.last_updated = audit.now;
        let target = policy_target(policy);
        let (event, message) = if active {
            ("policy.lifecycle.activate", "Activate policy")
        } else {
            ("policy.lifecycle.deactivate", "Deactivate policy")
        };
        self.emit(audit, event, message, vec![target], json!({}));
        Ok(())
    }

    pub fn delete_policy(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let policy = self.find_policy(id)?;
        if policy.system {
            return Err(ApiError::invalid("Cannot delete the default policy"));
        }
        let policy_type = policy.policy_type.clone();
        let target = policy_target(policy);
        let rule_ids: Vec<String> = self.rules_of(id).iter().map(|r| r.id.clone()).collect();
        for rule_id in rule_ids {
            self.rules.remove(&rule_id);
        }
        self.policies.remove(id);
        self.place_policy(&policy_type, "", None);
        self.emit(
            audit,
            "policy.lifecycle.delete",
            "Delete policy",
            vec![target],
            json!({}),
        );
        Ok(())
    }

    pub fn find_rule(&self, policy_id: &str, rule_id: &str) -> Result<&Rule, ApiError> {
        self.find_policy(policy_id)?;
        self.rules
            .get(rule_id)
            .filter(|rule| rule.policy_id == policy_id)
            .ok_or_else(|| ApiError::not_found(rule_id, "PolicyRule"))
    }

    fn expected_rule_type(&self, policy_id: &str) -> Result<&'static str, ApiError> {
        Ok(match self.find_policy(policy_id)?.policy_type.as_str() {
            "PASSWORD" => "PASSWORD",
            _ => "SIGN_ON",
        })
    }

    pub fn create_rule(
        &mut self,
        audit: &Audit,
        policy_id: &str,
        request: NewPolicy,
    ) -> Result<&Rule, ApiError> {
        let expected = self.expected_rule_type(policy_id)?;
        if request.kind != expected {
            return Err(ApiError::invalid(format!(
                "type: A rule of this policy must have type {expected}"
            )));
        }
        validate_name(&request.name)?;
        if self
            .rules_of(policy_id)
            .iter()
            .any(|rule| rule.name == request.name)
        {
            return Err(validation(vec![
                "name: An object with this field already exists in the current organization"
                    .to_string(),
            ]));
        }
        self.validate_people(&request.conditions)?;
        if request.kind == "PASSWORD" {
            self.engine.check_password_rule_actions(&request.body)?;
        }
        let (conditions, actions) =
            with_rule_defaults(&request.kind, request.conditions, request.body);
        let now = audit.now;
        let rule = Rule {
            id: okta_id("0pr"),
            policy_id: policy_id.to_string(),
            rule_type: request.kind,
            name: request.name,
            status: if request.active { "ACTIVE" } else { "INACTIVE" }.to_string(),
            priority: u32::MAX,
            system: false,
            created: now,
            last_updated: now,
            conditions,
            actions,
        };
        let id = rule.id.clone();
        let seq = self.next_seq();
        self.rules.insert(seq, rule);
        self.place_rule(policy_id, &id, request.priority);
        let target = rule_target(self.rules.get(&id).expect("inserted"));
        self.emit(
            audit,
            "policy.rule.add",
            "Add policy rule",
            vec![target],
            json!({}),
        );
        Ok(self.rules.get(&id).expect("inserted"))
    }

    pub fn replace_rule(
        &mut self,
        audit: &Audit,
        policy_id: &str,
        rule_id: &str,
        request: NewPolicy,
    ) -> Result<&Rule, ApiError> {
        let rule = self.find_rule(policy_id, rule_id)?;
        if request.kind != rule.rule_type {
            return Err(ApiError::invalid("type: The rule type cannot be changed"));
        }
        if rule.system && request.name != rule.name {
            return Err(ApiError::invalid(
                "name: The default rule cannot be renamed",
            ));
        }
        validate_name(&request.name)?;
        self.validate_people(&request.conditions)?;
        if request.kind == "PASSWORD" {
            self.engine.check_password_rule_actions(&request.body)?;
        }
        let (conditions, actions) =
            with_rule_defaults(&request.kind, request.conditions, request.body);
        let rule = self.rules.get_mut(rule_id).expect("found");
        rule.name = request.name;
        rule.conditions = conditions;
        rule.actions = actions;
        rule.last_updated = audit.now;
        if request.priority.is_some() {
            self.place_rule(policy_id, rule_id, request.priority);
        }
        let target = rule_target(self.rules.get(rule_id).expect("found"));
        self.emit(
            audit,
            "policy.rule.update",
            "Update policy rule",
            vec![target],
            json!({}),
        );
        Ok(self.rules.get(rule_id).expect("found"))
    }

    pub fn set_rule_status(
        &mut self,
        audit: &Audit,
        policy_id: &str,
        rule_id: &str,
        active: bool,
    ) -> Result<(), ApiError> {
        let rule = self.find_rule(policy_id, rule_id)?;
        if rule.system && !active {
            return Err(ApiError::invalid("Cannot deactivate the default rule"));
        }
        let rule = self.rules.get_mut(rule_id).expect("found");
        rule.status = if active { "ACTIVE" } else { "INACTIVE" }.to_string();
        rule.last_updated = audit.now;
        let target = rule_target(rule);
        let (event, message) = if active {
            ("policy.rule.activate", "Activate policy rule")
        } else {
            ("policy.rule.deactivate", "Deactivate policy rule")
        };
        self.emit(audit, event, message, vec![target], json!({}));
        Ok(())
    }

    pub fn delete_rule(
        &mut self,
        audit: &Audit,
        policy_id: &str,
        rule_id: &str,
    ) -> Result<(), ApiError> {
        let rule = self.find_rule(policy_id, rule_id)?;
        if rule.system {
            return Err(ApiError::invalid("Cannot delete the default rule"));
        }
        let target = rule_target(rule);
        self.rules.remove(rule_id);
        self.place_rule(policy_id, "", None);
        self.emit(
            audit,
            "policy.rule.delete",
            "Delete policy rule",
            vec![target],
            json!({}),
        );
        Ok(())
    }

    /// The password policy that applies to a user in `group_ids` (or to everyone): the first
    /// active one by priority whose groups include one of them.
    fn check_password(
        &self,
        password: &str,
        profile: &Map<String, Value>,
        group_ids: &[String],
    ) -> Result<(), ApiError> {
        let policy = self
            .policies_of_type("PASSWORD")
            .into_iter()
            .filter(|policy| policy.status == "ACTIVE")
            .find(|policy| {
                policy.system
                    || policy
                        .conditions
                        .pointer("/people/groups/include")
                        .and_then(Value::as_array)
                        .is_some_and(|ids| {
                            ids.iter().any(|id| {
                                id.as_str().is_some_and(|id| {
                                    group_ids.iter().any(|g| g == id)
                                        || self.groups.get(id).is_some_and(|g| g.built_in)
                                })
                            })
                        })
            });
        let Some(policy) = policy else {
            return Ok(());
        };
        let complexity = policy
            .settings
            .pointer("/password/complexity")
            .cloned()
            .unwrap_or(Value::Null);
        let minimum =
            |name: &str| complexity.get(name).and_then(Value::as_u64).unwrap_or(0) as usize;
        let mut problems = Vec::new();
        if password.chars().count() < minimum("minLength") {
            problems.push(format!("at least {} characters", minimum("minLength")));
        }
        let count = |predicate: fn(&char) -> bool| password.chars().filter(predicate).count();
        if count(char::is_ascii_lowercase) < minimum("minLowerCase") {
            problems.push("a lowercase letter".to_string());
        }
        if count(char::is_ascii_uppercase) < minimum("minUpperCase") {
            problems.push("an uppercase letter".to_string());
        }
        if count(char::is_ascii_digit) < minimum("minNumber") {
            problems.push("a number".to_string());
        }
        if count(|c| !c.is_alphanumeric()) < minimum("minSymbol") {
            problems.push("a symbol".to_string());
        }
        let exclude_username = complexity
            .get("excludeUsername")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let login = profile.get("login").and_then(Value::as_str).unwrap_or("");
        let short = login.split('@').next().unwrap_or("").to_lowercase();
        if exclude_username && !short.is_empty() && password.to_lowercase().contains(&short) {
            problems.push("no parts of your username".to_string());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::PasswordPolicy {
                detail: format!(
                    "password: Password requirements were not met. Password requirements: {}.",
                    problems.join(", ")
                ),
            })
        }
    }

    // ----- API tokens --------------------------------------------------------------------

    pub fn find_token(&self, id: &str) -> Result<&ApiToken, ApiError> {
        self.tokens
            .get(id)
            .ok_or_else(|| ApiError::not_found(id, "Token"))
    }

    pub fn update_token(
        &mut self,
        audit: &Audit,
        id: &str,
        name: Option<String>,
        network: Option<Value>,
    ) -> Result<&ApiToken, ApiError> {
        self.find_token(id)?;
        if let Some(network) = &network {
            let connection = network
                .get("connection")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !["ANYWHERE", "ZONE"].contains(&connection) {
                return Err(ApiError::invalid(
                    "network.connection: Must be ANYWHERE or ZONE",
                ));
            }
            let conditions = json!({ "network": network });
            self.validate_people(&conditions)?;
        }
        let token = self.tokens.get_mut(id).expect("found");
        if let Some(name) = name {
            token.name = name;
        }
        if let Some(network) = network {
            token.network = network;
        }
        token.last_updated = audit.now;
        let target = token_target(token);
        self.emit(
            audit,
            "system.api_token.update",
            "Update API token",
            vec![target],
            json!({}),
        );
        Ok(self.tokens.get(id).expect("found"))
    }

    /// What an admin signed in as `id_or_login` does in the Admin Console (Security > API >
    /// Tokens > Create token): a new API token owned by that user, the secret shown once. Okta
    /// has no API for it; the control plane asks, as a test following the provider's recovery
    /// steps for an org whose token was lost must. The owner must be an active admin.
    pub fn create_token_as_admin(
        &mut self,
        id_or_login: &str,
        name: &str,
        audit: &Audit,
    ) -> Result<ApiToken, ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.get(&user_id).ok_or(ApiError::Internal)?;
        if user.status != UserStatus::Active || user.roles.is_empty() {
            return Err(ApiError::invalid(
                "Only an active user with an admin role can create API tokens",
            ));
        }
        let now = audit.now;
        let token = ApiToken {
            id: okta_id("00T"),
            secret: crate::emulator::util::api_token_secret(),
            name: name.to_string(),
            user_id: user_id.clone(),
            client_name: "Okta API".to_string(),
            created: now,
            last_updated: now,
            network: json!({ "connection": "ANYWHERE" }),
        };
        self.secrets.insert(token.secret.clone(), token.id.clone());
        let seq = self.next_seq();
        self.tokens.insert(seq, token.clone());
        let audit = Audit {
            user_id,
            token_id: String::new(),
            ..audit.clone()
        };
        self.emit(
            &audit,
            "system.api_token.create",
            "Create API token",
            vec![token_target(&token)],
            json!({}),
        );
        Ok(token)
    }

    pub fn revoke_token(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let token = self.find_token(id)?.clone();
        self.tokens.remove(id);
        self.secrets.remove(&token.secret);
        self.emit(
            audit,
            "system.api_token.revoke",
            "Revoke API token",
            vec![token_target(&token)],
            json!({}),
        );
        Ok(())
    }
}

/// The lifecycle operations under `/api/v1/users/{id}/lifecycle/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Activate,
    Reactivate,
    Deactivate,
    Suspend,
    Unsuspend,
    Unlock,
    ExpirePassword,
    ResetPassword,
}

/// What an admin role event did, which Okta says in a target of its own beside the user and
/// the role (the event type alone does not: a removal can be a `privilege.grant`).
#[derive(Debug, Clone, Copy)]
enum RoleChange {
    Assigned,
    Unassigned,
    AllRevoked,
}

fn role_change_target(change: RoleChange) -> Value {
    let (kind, display_name) = match change {
        RoleChange::Assigned => ("ROLE_ASSIGNED", "Role Assigned"),
        RoleChange::Unassigned => ("ROLE_UNASSIGNED", "Role Unassigned"),
        RoleChange::AllRevoked => (
            "ROLE_UNASSIGNED_ALL_PRIVILEGES_REVOKED",
            "All Privileges revoked from User. User has no admin privileges",
        ),
    };
    json!({ "id": kind, "type": kind, "alternateId": "unknown", "displayName": display_name, "detailEntry": null })
}

/// How `GET /api/v1/users` selects users: an expression from `filter` or `search` (which also
/// include deprovisioned users), or a `q` prefix.
pub struct UserQuery {
    pub expression: Option<Expression>,
    /// `filter` compares values exactly and reads the users; `search` compares without regard
    /// to case and reads the search index.
    pub exact_case: bool,
    /// When the query is answered (Unix milliseconds) and how far the search index is behind.
    pub now: i64,
    pub search_lag_ms: i64,
    pub starts_with: Option<String>,
    pub after: Option<u64>,
    pub limit: usize,
}

fn validation(causes: Vec<String>) -> ApiError {
    ApiError::Validation {
        summary: causes.join(", "),
        causes,
    }
}

fn validate_name(name: &str) -> Result<(), ApiError> {
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
    Ok(())
}

/// Okta's rules for the base profile: login and email 5..100 characters, login shaped like an
/// e-mail address, first and last name 1..50 characters.
fn validate_profile(profile: &Map<String, Value>, admin: bool) -> Vec<String> {
    let mut causes = Vec::new();
    let text = |name: &str| profile.get(name).and_then(Value::as_str).map(str::trim);
    match text("login") {
        None | Some("") => causes.push("login: The field cannot be left blank".to_string()),
        Some(login) if login.chars().count() < 5 || login.chars().count() > 100 => {
            causes.push("login: The field must be between 5 and 100 characters".to_string())
        }
        Some(login) if !looks_like_email(login) => {
            causes.push("login: Username must be in the form of an email address".to_string())
        }
        _ => {}
    }
    match text("email") {
        None | Some("") => causes.push("email: The field cannot be left blank".to_string()),
        Some(email) if !looks_like_email(email) || email.chars().count() > 100 => {
            causes.push("email: Does not match required pattern".to_string())
        }
        _ => {}
    }
    for name in ["firstName", "lastName"] {
        match text(name) {
            None | Some("") => causes.push(format!("{name}: The field cannot be left blank")),
            Some(value) if value.chars().count() > 50 => {
                causes.push(format!("{name}: The field must be at most 50 characters"))
            }
            _ => {}
        }
    }
    let _ = admin;
    causes
}

fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Okta always returns the base attributes, null when unset.
fn normalize_profile(mut profile: Map<String, Value>) -> Map<String, Value> {
    for name in ["mobilePhone", "secondEmail"] {
        profile.entry(name.to_string()).or_insert(Value::Null);
    }
    profile
}

/// Each org's default user type id, stable for the org.
fn default_user_type_id(org_id: &str) -> String {
    format!("oty{}", &org_id[3..].chars().rev().collect::<String>())
}

fn valid_ip(text: &str) -> bool {
    text.parse::<std::net::IpAddr>().is_ok()
}

fn valid_cidr(text: &str) -> bool {
    match text.split_once('/') {
        Some((ip, prefix)) => match (ip.parse::<std::net::IpAddr>(), prefix.parse::<u8>()) {
            (Ok(std::net::IpAddr::V4(_)), Ok(bits)) => bits <= 32,
            (Ok(std::net::IpAddr::V6(_)), Ok(bits)) => bits <= 128,
            _ => false,
        },
        None => false,
    }
}

fn valid_range(text: &str) -> bool {
    match text.split_once('-') {
        Some((low, high)) => valid_ip(low) && valid_ip(high),
        None => valid_ip(text),
    }
}

fn zone_target(zone: &Zone) -> Value {
    json!({ "id": zone.id, "type": "NetworkZone", "alternateId": zone.name, "displayName": zone.name, "detailEntry": null })
}

fn policy_target(policy: &Policy) -> Value {
    json!({ "id": policy.id, "type": "Policy", "alternateId": policy.policy_type, "displayName": policy.name, "detailEntry": { "policyType": policy.policy_type } })
}

fn rule_target(rule: &Rule) -> Value {
    json!({ "id": rule.id, "type": "PolicyRule", "alternateId": rule.policy_id, "displayName": rule.name, "detailEntry": { "policyRuleType": rule.rule_type } })
}

fn token_target(token: &ApiToken) -> Value {
    json!({ "id": token.id, "type": "Token", "alternateId": token.user_id, "displayName": token.name, "detailEntry": null })
}

// Okta's defaults. Real Okta answers a created or replaced policy or rule with every setting it
// applies, filling in what the request left out; the values below are the ones Okta's own test
// suites recorded against real orgs (tests/fixtures/okta_facts/policies.json names the
// recordings). What the request sent always wins.

/// The conditions and settings Okta stores for a policy of `kind`.
fn with_policy_defaults(kind: &str, conditions: Value, settings: Value) -> (Value, Value) {
    match kind {
        "PASSWORD" => (
            merge_defaults(
                json!({ "authProvider": { "provider": "OKTA" } }),
                conditions,
            ),
            merge_defaults(password_policy_defaults(), settings),
        ),
        _ => (conditions, settings),
    }
}

/// The conditions and actions Okta stores for a rule of `kind`.
fn with_rule_defaults(kind: &str, conditions: Value, actions: Value) -> (Value, Value) {
    match kind {
        "SIGN_ON" => {
            let conditions = merge_defaults(
                json!({
                    "people": { "users": { "exclude": [] } },
                    "network": { "connection": "ANYWHERE" },
                }),
                conditions,
            );
            // The session values are those of the API reference's deny-rule example (a rule
            // that sends none); the recordings always send a session.
            let actions = merge_defaults(
                json!({ "signon": {
                    "primaryFactor": "PASSWORD_IDP_ANY_FACTOR",
                    "rememberDeviceByDefault": false,
                    "session": {
                        "usePersistentCookie": false,
                        "maxSessionIdleMinutes": 120,
                        "maxSessionLifetimeMinutes": 0,
                    },
                }}),
                actions,
            );
            (conditions, actions)
        }
        _ => (conditions, actions),
    }
}

fn password_policy_defaults() -> Value {
    json!({
        "password": {
            "complexity": {
                "minLength": 8,
                "minLowerCase": 1,
                "minUpperCase": 1,
                "minNumber": 1,
                "minSymbol": 0,
                "excludeUsername": true,
                "dictionary": { "common": { "exclude": false } },
                "excludeAttributes": [],
            },
            "age": {
                "maxAgeDays": 0,
                "expireWarnDays": 0,
                "minAgeMinutes": 0,
                "historyCount": 4,
            },
            "lockout": {
                "maxAttempts": 10,
                "autoUnlockMinutes": 0,
                "userLockoutNotificationChannels": [],
                "showLockoutFailures": false,
            },
            "breachedProtection": {
                "expireAfterDays": null,
                "logoutEnabled": false,
                "delegatedWorkflowId": null,
            },
        },
        "recovery": { "factors": {
            "recovery_question": {
                "status": "ACTIVE",
                "properties": { "complexity": { "minLength": 4 } },
            },
            "okta_email": {
                "status": "ACTIVE",
                "properties": { "recoveryToken": { "tokenLifetimeMinutes": 60 } },
            },
            "okta_sms": { "status": "INACTIVE" },
            "okta_call": { "status": "INACTIVE" },
        }},
        "delegation": { "options": { "skipUnlock": false } },
    })
}

/// `sent` over `defaults`: objects merge key by key, anything else that was sent replaces the
/// default; a `null` counts as not sent.
fn merge_defaults(defaults: Value, sent: Value) -> Value {
    match (defaults, sent) {
        (Value::Object(mut defaults), Value::Object(sent)) => {
            for (key, value) in sent {
                let merged = match defaults.remove(&key) {
                    Some(default) => merge_defaults(default, value),
                    None => value,
                };
                defaults.insert(key, merged);
            }
            Value::Object(defaults)
        }
        (defaults, Value::Null) if !defaults.is_null() => defaults,
        (_, sent) => sent,
    }
}

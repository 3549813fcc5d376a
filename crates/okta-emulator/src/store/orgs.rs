//! Orgs: the Org Creator API, orgs seeded from the command line, and what every new org starts
//! with (its first super admin and token, the Everyone group, the default policies and zones).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::credentials::Verifier;
use super::users::{default_user_type_id, normalize_profile, validate_profile};
use super::{
    ApiError, ApiToken, Audit, Engine, Group, NewUser, Org, PARTNER_SUBDOMAIN, Policy,
    RoleAssignment, Rule, State, User, UserStatus, Zone, validation,
};
use crate::util::{api_token_secret, okta_id};

impl State {
    /// A fresh emulator: just the partner org, whose super admin owns `partner_token`, on
    /// `engine`.
    pub fn new(partner_token: &str, engine: Engine) -> State {
        let now = crate::util::now_millis();
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
            token_key: super::token_signing_key(),
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
        let now = crate::util::now_millis();
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
        causes.extend(validate_profile(&request.admin.profile));
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

impl Org {
    /// What every new Okta org starts with: the Everyone group, the default password and global
    /// session policies with their default rules, and the two system network zones.
    pub(super) fn install_defaults(&mut self, now: i64) {
        let everyone = Group::new(
            okta_id("00g"),
            now,
            true,
            "Everyone".to_string(),
            Some("All users in your organization".to_string()),
        );
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
    pub(super) fn bootstrap_super_admin(
        &mut self,
        admin: NewUser,
        secret: String,
        now: i64,
    ) -> String {
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
            password_verifier: admin.password.as_deref().map(Verifier::of),
            recovery_answer_verifier: admin
                .recovery_question
                .as_ref()
                .map(|rq| Verifier::of(&rq.answer)),
            recovery_question: admin.recovery_question.map(|rq| rq.question),
            type_id: default_user_type_id(&self.id),
            profile: normalize_profile(admin.profile),
            roles: vec![RoleAssignment {
                id: okta_id("ra1"),
                role_type: "SUPER_ADMIN".to_string(),
                created: now,
                last_updated: now,
                disable_notifications: false,
                group_targets: Vec::new(),
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
            last_used: now,
        };
        self.secrets.insert(secret, token.id.clone());
        let seq = self.next_seq();
        self.tokens.insert(seq, token);
        user_id
    }
}

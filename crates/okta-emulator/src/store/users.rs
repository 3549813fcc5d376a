//! Users: their rows, the base profile's rules, lifecycle, lookups by id or login, listing with
//! `filter`, `search` and `q`, and the one factor the emulator keeps (the security question).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::credentials::Verifier;
use super::table::{Page, Row, paginate};
use super::{ApiError, Audit, Org, RoleAssignment, validation};
use crate::query::Expression;
use crate::util::{format_millis, okta_id};

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
    /// Checks the password without keeping it; absent for users without one and in data files
    /// written before it was kept (their old password is then not checked).
    #[serde(default)]
    pub password_verifier: Option<Verifier>,
    /// Checks the recovery answer likewise.
    #[serde(default)]
    pub recovery_answer_verifier: Option<Verifier>,
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

    pub(super) fn target(&self) -> Value {
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
    pub(super) fn problems(&self) -> Vec<String> {
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

impl Org {
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

    pub(super) fn user_id_of(&self, id_or_login: &str) -> Result<String, ApiError> {
        self.find_user(id_or_login).map(|user| user.id.clone())
    }

    pub fn create_user(&mut self, audit: &Audit, request: NewUser) -> Result<&User, ApiError> {
        let mut causes = validate_profile(&request.profile);
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
            password_verifier: request.password.as_deref().map(Verifier::of),
            recovery_answer_verifier: request
                .recovery_question
                .as_ref()
                .map(|rq| Verifier::of(&rq.answer)),
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
        self.apply_group_rules(audit, &user_id)?;
        self.users.found(&user_id, "User")
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
        let mut causes = validate_profile(&new_profile);
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
        let user = self.users.found_mut(&user_id, "User")?;
        let profile_changed = user.profile != new_profile;
        user.profile = new_profile;
        user.last_updated = now;
        if let Some(password) = &change.password {
            user.has_password = true;
            user.password_verifier = Some(Verifier::of(password));
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
            user.recovery_answer_verifier = Some(Verifier::of(&recovery_question.answer));
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
        if profile_changed {
            self.apply_group_rules(audit, &user_id)?;
        }
        self.users.found(&user_id, "User")
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
        let user = self.users.found(&user_id, "User")?;
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
        let user = self.users.found_mut(&user_id, "User")?;
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
            user.password_verifier = None;
        }
        let target = user.target();
        self.emit(audit, event_type, message, vec![target], json!({}));
        if next == Deprovisioned {
            self.revoke_tokens_of(audit, &user_id);
        }
        self.users.found(&user_id, "User")
    }

    /// What too many failed sign-ins do (the emulator has no sign-in API, so the control plane
    /// asks for it): an `ACTIVE`, `PASSWORD_EXPIRED` or `RECOVERY` user becomes `LOCKED_OUT`, with
    /// the user itself as the actor of the `user.account.lock` event.
    pub fn lock_out(&mut self, id_or_login: &str, audit: &Audit) -> Result<&User, ApiError> {
        use UserStatus::*;
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.found_mut(&user_id, "User")?;
        if !matches!(user.status, Active | PasswordExpired | Recovery) {
            return Err(ApiError::invalid(
                "Only a user who can sign in (ACTIVE, PASSWORD_EXPIRED or RECOVERY) can be locked out",
            ));
        }
        user.set_status(LockedOut, audit.now);
        let target = user.target();
        let audit = Audit {
            user_id: user_id.clone(),
            client_id: None,
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
        self.users.found(&user_id, "User")
    }

    /// `DELETE /api/v1/users/{id}`: deactivates a user that is not deprovisioned yet, deletes
    /// one that is. Returns whether the user is gone.
    pub fn delete_user(&mut self, audit: &Audit, id_or_login: &str) -> Result<bool, ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.found(&user_id, "User")?;
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
            .filter(|group| !group.built_in && group.has_member(&user_id))
            .map(|group| group.id.clone())
            .collect();
        for group_id in holding {
            if let Some(group) = self.groups.get_mut(&group_id) {
                group.leave(&user_id);
            }
        }
        self.forget_in_bindings(&super::Member::User(user_id.clone()));
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
        user.recovery_answer_verifier = None;
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
}

/// Okta's rules for the base profile: login and email 5..100 characters, login shaped like an
/// e-mail address, first and last name 1..50 characters.
pub(super) fn validate_profile(profile: &Map<String, Value>) -> Vec<String> {
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
pub(super) fn normalize_profile(mut profile: Map<String, Value>) -> Map<String, Value> {
    for name in ["mobilePhone", "secondEmail"] {
        profile.entry(name.to_string()).or_insert(Value::Null);
    }
    profile
}

/// Each org's default user type id, stable for the org.
pub(super) fn default_user_type_id(org_id: &str) -> String {
    format!("oty{}", &org_id[3..].chars().rev().collect::<String>())
}

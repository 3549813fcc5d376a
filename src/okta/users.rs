//! Users: create, read, search, profile updates and lifecycle transitions.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::{Call, Client, Pages, filter_literal, segment};
use super::error::OktaError;
use crate::secret::Secret;

/// Values per `users_holding` listing pair. Okta documents no number (only that "an overly
/// complex or long search query can result in an error"), so two bounds keep each request
/// ordinary: at most this many values (the exact `filter` carries up to twice as many
/// comparisons, each value as given and in lower case), and [`EXPRESSION_BUDGET`].
const VALUES_PER_SEARCH: usize = 25;

/// Characters of one `filter` or `search` expression, before percent-encoding (which may
/// triple them): the request line then stays well under the 8 KiB that common HTTP servers and
/// proxies accept by default.
const EXPRESSION_BUDGET: usize = 2_400;

/// Okta's largest page of users.
const USERS_PER_PAGE: u32 = 200;

/// A time before every user: `lastUpdated gt` it is a filter that every user meets.
const EVERY_USER_SINCE: &str = "1970-01-01T00:00:00.000Z";

/// The profile attributes users are looked up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Attribute {
    Login,
    Email,
}

impl Attribute {
    fn path(self) -> &'static str {
        match self {
            Attribute::Login => "profile.login",
            Attribute::Email => "profile.email",
        }
    }

    fn of(self, user: &User) -> Option<&str> {
        match self {
            Attribute::Login => user.profile.login.as_deref(),
            Attribute::Email => user.profile.email.as_deref(),
        }
    }
}

/// A user as Okta returns it. Unknown fields are ignored; absent or null optional fields are
/// `None`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub status: UserStatus,
    /// Set while an asynchronous transition (such as activation) is under way.
    #[serde(default)]
    pub transitioning_to_status: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub activated: Option<String>,
    #[serde(default)]
    pub status_changed: Option<String>,
    #[serde(default)]
    pub last_login: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub password_changed: Option<String>,
    #[serde(default)]
    pub profile: UserProfile,
    #[serde(default)]
    pub credentials: Option<UserCredentials>,
}

/// What Okta says about a user's credentials (never the password itself).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserCredentials {
    /// Present (as `{}`) when the user has a password.
    #[serde(default)]
    pub password: Option<Value>,
    /// Present when a recovery question is set; the baseline wants none. Okta spells this one
    /// field in snake case (`recovery_question`), unlike its siblings.
    #[serde(default, rename = "recovery_question")]
    pub recovery_question: Option<Value>,
    #[serde(default)]
    pub provider: Option<CredentialsProvider>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct CredentialsProvider {
    #[serde(default, rename = "type")]
    pub provider_type: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

impl UserCredentials {
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    pub fn has_recovery_question(&self) -> bool {
        matches!(&self.recovery_question, Some(value) if !value.is_null())
    }
}

/// A user's profile: the standard attributes the provider reads and writes, and every other
/// attribute as it came, so that a profile read and written back loses nothing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Okta's standard "organization-to-user relationship" attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_email: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `UserStatus`, with whatever else Okta may add kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum UserStatus {
    Active,
    Deprovisioned,
    LockedOut,
    PasswordExpired,
    Provisioned,
    Recovery,
    #[default]
    Staged,
    Suspended,
    Other(String),
}

impl UserStatus {
    pub fn as_str(&self) -> &str {
        match self {
            UserStatus::Active => "ACTIVE",
            UserStatus::Deprovisioned => "DEPROVISIONED",
            UserStatus::LockedOut => "LOCKED_OUT",
            UserStatus::PasswordExpired => "PASSWORD_EXPIRED",
            UserStatus::Provisioned => "PROVISIONED",
            UserStatus::Recovery => "RECOVERY",
            UserStatus::Staged => "STAGED",
            UserStatus::Suspended => "SUSPENDED",
            UserStatus::Other(other) => other,
        }
    }
}

impl From<String> for UserStatus {
    fn from(value: String) -> UserStatus {
        match value.as_str() {
            "ACTIVE" => UserStatus::Active,
            "DEPROVISIONED" => UserStatus::Deprovisioned,
            "LOCKED_OUT" => UserStatus::LockedOut,
            "PASSWORD_EXPIRED" => UserStatus::PasswordExpired,
            "PROVISIONED" => UserStatus::Provisioned,
            "RECOVERY" => UserStatus::Recovery,
            "STAGED" => UserStatus::Staged,
            "SUSPENDED" => UserStatus::Suspended,
            _ => UserStatus::Other(value),
        }
    }
}

impl From<UserStatus> for String {
    fn from(value: UserStatus) -> String {
        value.as_str().to_owned()
    }
}

impl std::fmt::Display for UserStatus {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A user to create. No recovery question is ever sent.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub profile: UserProfile,
    /// Without a password an activated user is `PROVISIONED` (waiting for an activation
    /// e-mail); with one, `ACTIVE`.
    pub password: Option<Secret>,
    /// Groups to join at creation (Okta accepts up to 20), saving a call per group.
    pub group_ids: Vec<String>,
}

/// A listing of users: `filter` (exact, strongly consistent; `profile.login eq "…"`) or
/// `search` (any attribute, eventually consistent).
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub filter: Option<String>,
    pub search: Option<String>,
    /// Page size (Okta's default is 200).
    pub limit: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateUserBody<'a> {
    profile: &'a UserProfile,
    #[serde(skip_serializing_if = "Option::is_none")]
    credentials: Option<PasswordCredentials<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    group_ids: &'a [String],
}

#[derive(Serialize)]
pub(crate) struct PasswordCredentials<'a> {
    pub password: PasswordValue<'a>,
}

#[derive(Serialize)]
pub(crate) struct PasswordValue<'a> {
    #[serde(serialize_with = "super::expose_secret")]
    pub value: &'a Secret,
}

impl Client {
    /// `POST /api/v1/users?activate=…`. Not retried once sent (see `Replay`): on an unclear
    /// failure, look the login up before creating again.
    pub async fn create_user(&self, user: &NewUser, activate: bool) -> Result<User, OktaError> {
        let body = CreateUserBody {
            profile: &user.profile,
            credentials: user.password.as_ref().map(|password| PasswordCredentials {
                password: PasswordValue { value: password },
            }),
            group_ids: &user.group_ids,
        };
        let call = Call::new(Method::POST, "/api/v1/users", "/api/v1/users".to_owned())
            .query("activate", activate)
            .json(&body)?;
        self.fetch(call, "user").await
    }

    /// `GET /api/v1/users/{id}`, where the id may also be a login.
    pub async fn get_user(&self, id_or_login: &str) -> Result<User, OktaError> {
        let call = Call::get(
            "/api/v1/users/{id}",
            format!("/api/v1/users/{}", segment(id_or_login)),
        );
        self.fetch(call, "user").await
    }

    /// The user who owns the API token.
    pub async fn get_me(&self) -> Result<User, OktaError> {
        self.fetch(
            Call::get("/api/v1/users/me", "/api/v1/users/me".to_owned()),
            "user",
        )
        .await
    }

    /// The user with exactly this login (case-insensitive, as Okta compares logins), in any
    /// status including `DEPROVISIONED`.
    pub async fn find_user_by_login(&self, login: &str) -> Result<Option<User>, OktaError> {
        // A GET by login is one call and strongly consistent, but Okta also resolves an
        // unambiguous login shortname that way, and logins holding `/` cannot be fetched by
        // login at all; in both cases the exact filter decides.
        if !login.contains('/') {
            match self.get_user(login).await {
                Ok(user) if same_login(&user, login) => return Ok(Some(user)),
                Ok(_) => {}
                Err(error) if error.is_not_found() => return Ok(None),
                Err(error) => return Err(error),
            }
        }
        let query = UserQuery {
            filter: Some(format!("profile.login eq {}", filter_literal(login))),
            ..UserQuery::default()
        };
        Ok(self
            .list_users(&query)
            .await?
            .into_iter()
            .find(|user| same_login(user, login)))
    }

    /// Every user whose `profile.email` is one of `emails`, without regard to case, ten
    /// addresses per two calls (see [`Client::users_holding`]).
    pub async fn users_with_emails(&self, emails: &[&str]) -> Result<Vec<User>, OktaError> {
        let wanted: Vec<(Attribute, &str)> =
            emails.iter().map(|e| (Attribute::Email, *e)).collect();
        Ok(self.users_holding(&wanted).await?.0)
    }

    /// Every user whose `profile.login` is one of `logins` or whose `profile.email` is one of
    /// `emails`, without regard to case and in any status, 25 values per two calls (see
    /// [`Client::users_holding`]): who holds the logins of accounts about to be created, and
    /// who else reads their mailboxes, in one listing. Also answers how many listings that
    /// took (two per 25 values), which is what listing by value costs a large org.
    pub async fn users_with_logins_or_emails(
        &self,
        logins: &[&str],
        emails: &[&str],
    ) -> Result<(Vec<User>, u32), OktaError> {
        let wanted: Vec<(Attribute, &str)> = logins
            .iter()
            .map(|login| (Attribute::Login, *login))
            .chain(emails.iter().map(|email| (Attribute::Email, *email)))
            .collect();
        self.users_holding(&wanted).await
    }

    /// Every user holding one of the `wanted` values, without regard to case, up to 25
    /// values per call pair (`listing_chunks`). Two listings per chunk: `search`, which Okta compares without regard to case
    /// but answers from an eventually consistent index (a user created moments ago may be
    /// missing), and `filter` on the values as given and in lower case, which is exact in both
    /// senses: case-sensitive, and read from the users themselves. So a user holding one of
    /// the values in either form is found at once, and one holding it in another case once
    /// search has caught up.
    async fn users_holding(
        &self,
        wanted: &[(Attribute, &str)],
    ) -> Result<(Vec<User>, u32), OktaError> {
        let mut wanted: Vec<(Attribute, String)> = wanted
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(attribute, value)| (*attribute, (*value).to_owned()))
            .collect();
        wanted.sort_by_key(|(attribute, value)| (*attribute, value.to_lowercase()));
        wanted.dedup_by_key(|(attribute, value)| (*attribute, value.to_lowercase()));
        let mut found: Vec<User> = Vec::new();
        let mut listings = 0;
        for chunk in listing_chunks(&wanted) {
            listings += 2;
            let lowered: Vec<(Attribute, String)> = chunk
                .iter()
                .map(|(attribute, value)| (*attribute, value.to_lowercase()))
                .collect();
            let expression = |terms: &[(Attribute, String)]| {
                terms
                    .iter()
                    .map(|(attribute, value)| {
                        format!("{} eq {}", attribute.path(), filter_literal(value))
                    })
                    .collect::<Vec<_>>()
                    .join(" or ")
            };
            // As given and in lower case: the forms a value is most often stored in.
            let mut exact: Vec<(Attribute, String)> = chunk.to_vec();
            exact.extend(lowered.iter().cloned());
            exact.sort();
            exact.dedup();
            let searched = UserQuery {
                search: Some(expression(&lowered)),
                ..UserQuery::default()
            };
            let filtered = UserQuery {
                filter: Some(expression(&exact)),
                ..UserQuery::default()
            };
            let (searched, filtered) =
                tokio::join!(self.list_users(&searched), self.list_users(&filtered));
            for user in searched?.into_iter().chain(filtered?) {
                let holds = lowered.iter().any(|(attribute, value)| {
                    attribute
                        .of(&user)
                        .is_some_and(|held| held.to_lowercase() == *value)
                });
                if holds && !found.iter().any(|seen| seen.id == user.id) {
                    found.push(user);
                }
            }
        }
        Ok((found, listings))
    }

    /// `GET /api/v1/users`, every page. Without filter or search Okta omits `DEPROVISIONED`
    /// users.
    pub async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>, OktaError> {
        let call = Call::get("/api/v1/users", "/api/v1/users".to_owned())
            .query_opt("filter", query.filter.as_ref())
            .query_opt("search", query.search.as_ref())
            .query_opt("limit", query.limit);
        self.fetch_all(call, "list of users").await
    }

    /// Every user of the org in any status, when they fit in `max_pages` pages of 200; `None`
    /// when a further page is linked (the org is larger). A `filter` (here one that every user
    /// meets: updated after 1970) lists `DEPROVISIONED` users too, which a bare listing omits,
    /// and is read from the users themselves, not from search's eventually consistent index: a
    /// user created a moment ago is in it.
    pub async fn all_users_within(&self, max_pages: u32) -> Result<Option<Vec<User>>, OktaError> {
        let query = UserQuery {
            filter: Some(format!(
                "lastUpdated gt {}",
                filter_literal(EVERY_USER_SINCE)
            )),
            search: None,
            limit: Some(USERS_PER_PAGE),
        };
        let mut pages = self.list_users_by_page(&query);
        let mut users = Vec::new();
        for _ in 0..max_pages {
            match pages.next().await? {
                Some(page) => users.extend(page),
                None => return Ok(Some(users)),
            }
        }
        Ok((!pages.has_more()).then_some(users))
    }

    /// `GET /api/v1/users`, one page per [`Pages::next`](Pages::next).
    pub fn list_users_by_page(&self, query: &UserQuery) -> Pages<'_, User> {
        let call = Call::get("/api/v1/users", "/api/v1/users".to_owned())
            .query_opt("filter", query.filter.as_ref())
            .query_opt("search", query.search.as_ref())
            .query_opt("limit", query.limit);
        self.pages(call, "list of users")
    }

    /// `POST /api/v1/users/{id}`: a partial update; attributes left `None` keep their values.
    pub async fn update_user_profile(
        &self,
        user_id: &str,
        profile: &UserProfile,
    ) -> Result<User, OktaError> {
        #[derive(Serialize)]
        struct Body<'a> {
            profile: &'a UserProfile,
        }
        let call = Call::new(
            Method::POST,
            "/api/v1/users/{id}",
            format!("/api/v1/users/{}", segment(user_id)),
        )
        .json(&Body { profile })?
        .replay_safe();
        self.fetch(call, "user").await
    }

    /// `POST /api/v1/users/{id}` with `credentials.password.value`: sets a password as an
    /// administrator, without the old one. A `PROVISIONED`, `PASSWORD_EXPIRED` or `RECOVERY`
    /// user becomes `ACTIVE`; a `STAGED` one keeps its status until it is activated. The same
    /// password sent twice leaves the same result, so a lost answer may be replayed.
    pub async fn set_password(&self, user_id: &str, password: &Secret) -> Result<User, OktaError> {
        #[derive(Serialize)]
        struct Body<'a> {
            credentials: PasswordCredentials<'a>,
        }
        let call = Call::new(
            Method::POST,
            "/api/v1/users/{id}",
            format!("/api/v1/users/{}", segment(user_id)),
        )
        .json(&Body {
            credentials: PasswordCredentials {
                password: PasswordValue { value: password },
            },
        })?
        .replay_safe();
        self.fetch(call, "user").await
    }

    /// Activates a `STAGED` or `DEPROVISIONED` user, without an e-mail. The activation token
    /// in the answer is dropped unread.
    pub async fn activate_user(&self, user_id: &str) -> Result<(), OktaError> {
        self.lifecycle(
            user_id,
            "/api/v1/users/{id}/lifecycle/activate",
            "activate",
            true,
        )
        .await
    }

    /// Deactivates a user (its API tokens die with it), without an e-mail.
    pub async fn deactivate_user(&self, user_id: &str) -> Result<(), OktaError> {
        self.lifecycle(
            user_id,
            "/api/v1/users/{id}/lifecycle/deactivate",
            "deactivate",
            true,
        )
        .await
    }

    pub async fn suspend_user(&self, user_id: &str) -> Result<(), OktaError> {
        self.lifecycle(
            user_id,
            "/api/v1/users/{id}/lifecycle/suspend",
            "suspend",
            false,
        )
        .await
    }

    pub async fn unsuspend_user(&self, user_id: &str) -> Result<(), OktaError> {
        self.lifecycle(
            user_id,
            "/api/v1/users/{id}/lifecycle/unsuspend",
            "unsuspend",
            false,
        )
        .await
    }

    pub async fn unlock_user(&self, user_id: &str) -> Result<(), OktaError> {
        self.lifecycle(
            user_id,
            "/api/v1/users/{id}/lifecycle/unlock",
            "unlock",
            false,
        )
        .await
    }

    /// `DELETE /api/v1/users/{id}`. Okta deletes only `DEPROVISIONED` users; on any other user
    /// this call deactivates it, and a second call deletes it.
    pub async fn delete_user(&self, user_id: &str) -> Result<(), OktaError> {
        let call = Call::new(
            Method::DELETE,
            "/api/v1/users/{id}",
            format!("/api/v1/users/{}", segment(user_id)),
        )
        .query("sendEmail", false);
        self.execute(call).await
    }

    /// `GET /api/v1/users/{id}/factors`: the user's enrolled factors (authenticators).
    pub async fn list_factors(&self, user_id: &str) -> Result<Vec<Factor>, OktaError> {
        let call = Call::get(
            "/api/v1/users/{id}/factors",
            format!("/api/v1/users/{}/factors", segment(user_id)),
        );
        self.fetch(call, "list of factors").await
    }

    /// `DELETE /api/v1/users/{id}/factors/{factorId}`: unenrolls one factor. The security
    /// question is a factor of type `question`; unenrolling it is the way Okta's API offers to
    /// remove a user's recovery question.
    pub async fn delete_factor(&self, user_id: &str, factor_id: &str) -> Result<(), OktaError> {
        let call = Call::new(
            Method::DELETE,
            "/api/v1/users/{id}/factors/{factorId}",
            format!(
                "/api/v1/users/{}/factors/{}",
                segment(user_id),
                segment(factor_id)
            ),
        )
        .replay_safe();
        match self.execute(call).await {
            Err(error) if error.is_not_found() => Ok(()),
            other => other,
        }
    }

    async fn lifecycle(
        &self,
        user_id: &str,
        template: &'static str,
        operation: &str,
        has_send_email: bool,
    ) -> Result<(), OktaError> {
        let path = format!("/api/v1/users/{}/lifecycle/{operation}", segment(user_id));
        let mut call = Call::new(Method::POST, template, path).replay_safe();
        if has_send_email {
            call = call.query("sendEmail", false);
        }
        self.execute(call).await
    }
}

/// One enrolled factor of a user, as far as the provider needs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Factor {
    pub id: String,
    #[serde(default)]
    pub factor_type: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl Factor {
    /// The security question, which doubles as the recovery question.
    pub fn is_security_question(&self) -> bool {
        self.factor_type.as_deref() == Some("question")
    }
}

fn same_login(user: &User, login: &str) -> bool {
    user.profile
        .login
        .as_deref()
        .is_some_and(|found| found.eq_ignore_ascii_case(login))
}

/// `wanted` cut into the values of one listing pair each: at most [`VALUES_PER_SEARCH`], and
/// an exact `filter` (each value as given and, when it differs, in lower case) of at most
/// [`EXPRESSION_BUDGET`] characters. A single value longer than the budget still gets its own
/// listing (Okta's logins and addresses are at most 100 characters).
fn listing_chunks(wanted: &[(Attribute, String)]) -> Vec<&[(Attribute, String)]> {
    const OR: usize = " or ".len();
    let term = |attribute: Attribute, value: &str| {
        attribute.path().len() + " eq ".len() + filter_literal(value).len()
    };
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut length = 0;
    for (index, (attribute, value)) in wanted.iter().enumerate() {
        let mut cost = term(*attribute, value) + OR;
        let lowered = value.to_lowercase();
        if lowered != *value {
            cost += term(*attribute, &lowered) + OR;
        }
        let count = index - start;
        if count > 0 && (count == VALUES_PER_SEARCH || length + cost > EXPRESSION_BUDGET) {
            chunks.push(&wanted[start..index]);
            start = index;
            length = 0;
        }
        length += cost;
    }
    if start < wanted.len() {
        chunks.push(&wanted[start..]);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_carry_up_to_twenty_five_values_within_the_budget() {
        let short: Vec<(Attribute, String)> = (0..60)
            .map(|n| (Attribute::Login, format!("svc-{n}@msp.example")))
            .collect();
        let sizes: Vec<usize> = listing_chunks(&short).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![25, 25, 10]);
        // Long mixed-case values fill the budget first: each counts twice in the filter.
        let long: Vec<(Attribute, String)> = (0..30)
            .map(|n| {
                (
                    Attribute::Email,
                    format!("Service-Account-{n:02}-{}@Example.com", "x".repeat(60)),
                )
            })
            .collect();
        let chunks = listing_chunks(&long);
        assert!(chunks.len() > 2, "{}", chunks.len());
        assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 30);
        for chunk in chunks {
            let filter: usize = chunk
                .iter()
                .map(|(a, v)| 2 * (a.path().len() + 4 + filter_literal(v).len() + 4))
                .sum();
            assert!(filter <= EXPRESSION_BUDGET, "{filter}");
        }
    }

    #[test]
    fn users_are_read_tolerantly() {
        let body = r#"{"id":"00ukwr8iwz9tD7ZV11d7","status":"PROVISIONED","created":"2025-03-13T23:44:04.000Z",
            "activated":"2025-03-13T23:44:04.000Z","lastLogin":null,"passwordChanged":null,
            "type":{"id":"oty5qwjvh0Vy1j8Kd1d7"},"somethingNew":[1,2],
            "profile":{"firstName":"TestAcc","lastName":"Smith","mobilePhone":null,"secondEmail":null,
                "login":"a@example.com","email":"a@example.com","costCenter":"42"},
            "credentials":{"password":{},"provider":{"type":"OKTA","name":"OKTA"}},
            "_links":{"self":{"href":"https://x/api/v1/users/00u"}}}"#;
        let user: User = serde_json::from_str(body).unwrap();
        assert_eq!(user.status, UserStatus::Provisioned);
        assert_eq!(user.profile.login.as_deref(), Some("a@example.com"));
        assert_eq!(user.profile.mobile_phone, None);
        assert_eq!(
            user.profile.other.get("costCenter"),
            Some(&Value::from("42"))
        );
        let credentials = user.credentials.unwrap();
        assert!(credentials.has_password());
        assert!(!credentials.has_recovery_question());
        assert_eq!(user.last_login, None);
    }

    /// Okta writes this credential in snake case; a camel-case reading never saw it.
    #[test]
    fn a_recovery_question_is_seen_as_okta_spells_it() {
        let body = r#"{"id":"00u1","status":"ACTIVE",
            "credentials":{"password":{},"recovery_question":{"question":"Favourite colour?"},
                "provider":{"type":"OKTA","name":"OKTA"}}}"#;
        let user: User = serde_json::from_str(body).unwrap();
        assert!(user.credentials.unwrap().has_recovery_question());
    }

    #[test]
    fn unknown_statuses_are_kept() {
        let user: User = serde_json::from_str(r#"{"id":"00u1","status":"ACTIVATING"}"#).unwrap();
        assert_eq!(user.status, UserStatus::Other("ACTIVATING".to_owned()));
        assert_eq!(user.status.to_string(), "ACTIVATING");
    }

    #[test]
    fn create_bodies_carry_the_password_but_no_recovery_question() {
        let password = Secret::new("correct horse battery staple");
        let profile = UserProfile {
            login: Some("svc@acme.com".to_owned()),
            ..UserProfile::default()
        };
        let body = CreateUserBody {
            profile: &profile,
            credentials: Some(PasswordCredentials {
                password: PasswordValue { value: &password },
            }),
            group_ids: &["00g1".to_owned()],
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "profile": {"login": "svc@acme.com"},
                "credentials": {"password": {"value": "correct horse battery staple"}},
                "groupIds": ["00g1"],
            })
        );
    }
}

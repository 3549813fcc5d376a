//! Handlers: parse the request into the store's terms, call the store, shape Okta's JSON. No rule
//! of Okta's lives here; those are in `store`.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::emulator::error::ApiError;
use crate::emulator::query::{self, Expression, Operator};
use crate::emulator::routes::Endpoint;
use crate::emulator::store::{
    ApiToken, Audit, Group, Lifecycle, NewOrg, NewPolicy, NewUser, NewZone, Org, Policy, Principal,
    RecoveryQuestion, RoleAssignment, Rule, State, User, UserChange, UserQuery, UserStatus, Zone,
    role_label,
};
use crate::emulator::util::{
    decode_cursor, encode_cursor, encode_query_component, format_millis, parse_timestamp,
    random_alphanumeric,
};

/// A parsed request as handlers see it.
pub struct Request<'a> {
    pub base_url: &'a str,
    pub subdomain: &'a str,
    pub path: &'a str,
    pub params: &'a [String],
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    pub principal: &'a Principal,
    pub audit: &'a Audit,
    /// How far `search` and the System Log trail the live state.
    pub lag: super::Lag,
}

impl Request<'_> {
    fn org_url(&self) -> String {
        format!("{}/{}", self.base_url, self.subdomain)
    }

    fn param(&self, index: usize) -> &str {
        self.params.get(index).map(String::as_str).unwrap_or("")
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn bool_query(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.query(name) {
            None => Ok(default),
            Some(value) if value.eq_ignore_ascii_case("true") => Ok(true),
            Some(value) if value.eq_ignore_ascii_case("false") => Ok(false),
            Some(value) => Err(ApiError::invalid(format!(
                "{name}: '{value}' is not a valid boolean"
            ))),
        }
    }

    fn limit(&self, default: usize, maximum: usize) -> Result<usize, ApiError> {
        match self.query("limit") {
            None => Ok(default),
            Some(text) => match text.parse::<i64>() {
                Ok(value) if value >= 1 => Ok((value as usize).min(maximum)),
                _ => Err(ApiError::InvalidPaging),
            },
        }
    }

    fn after(&self, collection: &str) -> Result<Option<u64>, ApiError> {
        match self.query("after") {
            None => Ok(None),
            Some(cursor) => decode_cursor(collection, cursor)
                .map(Some)
                .ok_or(ApiError::InvalidPaging),
        }
    }

    fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(self.body).map_err(|_| ApiError::MalformedBody)
    }

    fn json_object(&self) -> Result<Map<String, Value>, ApiError> {
        match self.json::<Value>()? {
            Value::Object(map) => Ok(map),
            _ => Err(ApiError::MalformedBody),
        }
    }

    /// `Link` headers for a page: `self` always, `next` when there is more.
    fn links(&self, collection: &str, next_after: Option<u64>) -> Vec<String> {
        self.links_without(collection, next_after, &[])
    }

    /// Like [`links`](Self::links), leaving out query parameters that the next page does not
    /// repeat (the System Log's next link resumes from its cursor, not from `since`).
    fn links_without(
        &self,
        collection: &str,
        next_after: Option<u64>,
        dropped: &[&str],
    ) -> Vec<String> {
        let org_url = self.org_url();
        let rebuild = |after: Option<String>| {
            let drop_more = after.is_some();
            let mut pairs: Vec<String> = self
                .query
                .iter()
                .filter(|(key, _)| key != "after")
                .filter(|(key, _)| !(drop_more && dropped.contains(&key.as_str())))
                .map(|(key, value)| {
                    format!(
                        "{}={}",
                        encode_query_component(key),
                        encode_query_component(value)
                    )
                })
                .collect();
            if let Some(after) = after {
                pairs.insert(0, format!("after={after}"));
            }
            if pairs.is_empty() {
                format!("{org_url}{}", self.path)
            } else {
                format!("{org_url}{}?{}", self.path, pairs.join("&"))
            }
        };
        let mut links = vec![format!(
            "<{}>; rel=\"self\"",
            rebuild(self.query("after").map(str::to_string))
        )];
        if let Some(after) = next_after {
            links.push(format!(
                "<{}>; rel=\"next\"",
                rebuild(Some(encode_cursor(collection, after)))
            ));
        }
        links
    }
}

/// What a handler answers; the server adds the common headers.
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub links: Vec<String>,
    pub etag: Option<String>,
}

impl Reply {
    fn ok(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: Some(body),
            links: Vec::new(),
            etag: None,
        }
    }

    fn created(body: Value) -> Reply {
        Reply {
            status: StatusCode::CREATED,
            ..Reply::ok(body)
        }
    }

    fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            links: Vec::new(),
            etag: None,
        }
    }

    fn page(body: Value, links: Vec<String>) -> Reply {
        Reply {
            links,
            ..Reply::ok(body)
        }
    }
}

/// Serves one matched endpoint against the state.
/// `GET /.well-known/okta-organization`: the org's id and its engine (`pipeline`), which Okta
/// serves without a token.
pub fn org_metadata(org_url: &str, org: &Org) -> Reply {
    Reply::ok(json!({
        "id": org.id,
        "pipeline": org.engine.pipeline(),
        "_links": {"organization": {"href": org_url}},
    }))
}

pub fn handle(endpoint: Endpoint, state: &mut State, request: &Request) -> Result<Reply, ApiError> {
    if endpoint == Endpoint::CreateChildOrg {
        return create_child_org(state, request);
    }
    let org = state
        .org_mut(request.subdomain)
        .ok_or(ApiError::PathNotFound)?;
    let org_url = request.org_url();
    let audit = request.audit;
    match endpoint {
        Endpoint::CreateChildOrg => unreachable!("handled above"),
        Endpoint::OrgMetadata => Ok(org_metadata(&org_url, org)),
        Endpoint::GetOrg => Ok(Reply::ok(org_json(&org_url, org))),
        Endpoint::ListUsers => list_users(org, request),
        Endpoint::CreateUser => {
            let new_user = parse_new_user(request)?;
            let user = org.create_user(audit, new_user)?;
            Ok(Reply::ok(user_json(&org_url, user, true)))
        }
        Endpoint::GetUser => {
            let user = find_user_or_me(org, request)?;
            Ok(Reply {
                etag: Some(format!("W/\"{}\"", user.last_updated)),
                ..Reply::ok(user_json(&org_url, user, true))
            })
        }
        Endpoint::UpdateUser | Endpoint::ReplaceUser => {
            let body = request.json_object()?;
            let profile = match body.get("profile") {
                None => None,
                Some(Value::Object(profile)) => Some(profile.clone()),
                Some(_) => return Err(ApiError::MalformedBody),
            };
            let password = password_of(&body)?;
            let recovery_question = recovery_question_of(&body)?;
            let id = user_id_or_me(org, request)?;
            let user = org.update_user(
                audit,
                &id,
                UserChange {
                    profile,
                    replace_profile: endpoint == Endpoint::ReplaceUser,
                    password,
                    recovery_question,
                },
            )?;
            Ok(Reply::ok(user_json(&org_url, user, true)))
        }
        Endpoint::DeleteUser => {
            let id = user_id_or_me(org, request)?;
            org.delete_user(audit, &id)?;
            Ok(Reply::no_content())
        }
        Endpoint::UserLifecycle(operation) => {
            let send_email_default =
                matches!(operation, Lifecycle::Activate | Lifecycle::ResetPassword);
            let send_email = request.bool_query("sendEmail", send_email_default)?;
            let id = user_id_or_me(org, request)?;
            let user = org.lifecycle(audit, &id, operation)?;
            let body = match operation {
                Lifecycle::Activate | Lifecycle::Reactivate if !send_email => {
                    let token = random_alphanumeric(20);
                    json!({
                        "activationUrl": format!("{org_url}/welcome/{token}"),
                        "activationToken": token,
                    })
                }
                Lifecycle::ResetPassword if !send_email => json!({
                    "resetPasswordUrl": format!("{org_url}/reset_password/{}", random_alphanumeric(20)),
                }),
                Lifecycle::ExpirePassword => user_json(&org_url, user, true),
                _ => json!({}),
            };
            Ok(Reply::ok(body))
        }
        Endpoint::ListUserGroups => {
            let id = user_id_or_me(org, request)?;
            let groups: Vec<Value> = org
                .groups_of(&id)
                .into_iter()
                .map(|group| group_json(&org_url, group))
                .collect();
            // One page, but a self link, as in every recorded answer (okta-sdk-python).
            Ok(Reply::page(
                Value::Array(groups),
                request.links("groups", None),
            ))
        }
        Endpoint::ListFactors => {
            let user = find_user_or_me(org, request)?;
            let factors: Vec<Value> = user
                .has_recovery_question
                .then(|| question_factor_json(&org_url, user))
                .into_iter()
                .collect();
            Ok(Reply::ok(Value::Array(factors)))
        }
        Endpoint::DeleteFactor => {
            let id = user_id_or_me(org, request)?;
            org.delete_factor(audit, &id, request.param(1))?;
            Ok(Reply::no_content())
        }
        Endpoint::ListRoles => {
            let user = find_user_or_me(org, request)?;
            let roles: Vec<Value> = user
                .roles
                .iter()
                .map(|role| role_json(&org_url, &user.id, role))
                .collect();
            Ok(Reply::ok(Value::Array(roles)))
        }
        Endpoint::AssignRole => {
            let disable_notifications = request.bool_query("disableNotifications", false)?;
            let body = request.json_object()?;
            let role_type = match body.get("type") {
                Some(Value::String(role_type)) => role_type.clone(),
                _ => return Err(ApiError::invalid("type: The field cannot be left blank")),
            };
            let id = user_id_or_me(org, request)?;
            let (user, index) = org.assign_role(audit, &id, &role_type, disable_notifications)?;
            Ok(Reply::created(role_json(
                &org_url,
                &user.id,
                &user.roles[index],
            )))
        }
        Endpoint::GetRole => {
            let user = find_user_or_me(org, request)?;
            let role = user
                .roles
                .iter()
                .find(|role| role.id == request.param(1))
                .ok_or_else(|| ApiError::not_found(request.param(1), "RoleAssignment"))?;
            Ok(Reply::ok(role_json(&org_url, &user.id, role)))
        }
        Endpoint::UnassignRole => {
            let id = user_id_or_me(org, request)?;
            org.unassign_role(audit, &id, request.param(1))?;
            Ok(Reply::no_content())
        }
        Endpoint::ListGroups => list_groups(org, request),
        Endpoint::CreateGroup | Endpoint::ReplaceGroup => {
            let body = request.json_object()?;
            let profile = body.get("profile").and_then(Value::as_object);
            let name = profile
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let description = profile
                .and_then(|p| p.get("description"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let group = if endpoint == Endpoint::CreateGroup {
                org.create_group(audit, name, description)?
            } else {
                org.update_group(audit, request.param(0), name, description)?
            };
            Ok(Reply::ok(group_json(&org_url, group)))
        }
        Endpoint::GetGroup => Ok(Reply::ok(group_json(
            &org_url,
            org.find_group(request.param(0))?,
        ))),
        Endpoint::DeleteGroup => {
            org.delete_group(audit, request.param(0))?;
            Ok(Reply::no_content())
        }
        Endpoint::ListGroupMembers => {
            let limit = request.limit(1000, 1000)?;
            let after = request.after("members")?;
            let page = org.group_members(request.param(0), after, limit)?;
            let users: Vec<Value> = page
                .items
                .iter()
                .map(|user| user_json(&org_url, user, false))
                .collect();
            Ok(Reply::page(
                Value::Array(users),
                request.links("members", page.next_after),
            ))
        }
        Endpoint::AddGroupMember => {
            org.add_member(audit, request.param(0), request.param(1))?;
            Ok(Reply::no_content())
        }
        Endpoint::RemoveGroupMember => {
            org.remove_member(audit, request.param(0), request.param(1))?;
            Ok(Reply::no_content())
        }
        Endpoint::ListZones => list_zones(org, request),
        Endpoint::CreateZone => {
            let zone = parse_zone(request)?;
            Ok(Reply::ok(zone_json(
                &org_url,
                org.create_zone(audit, zone)?,
            )))
        }
        Endpoint::GetZone => Ok(Reply::ok(zone_json(
            &org_url,
            org.find_zone(request.param(0))?,
        ))),
        Endpoint::ReplaceZone => {
            let zone = parse_zone(request)?;
            Ok(Reply::ok(zone_json(
                &org_url,
                org.update_zone(audit, request.param(0), zone)?,
            )))
        }
        Endpoint::DeleteZone => {
            org.delete_zone(audit, request.param(0))?;
            Ok(Reply::no_content())
        }
        Endpoint::ActivateZone | Endpoint::DeactivateZone => {
            let active = endpoint == Endpoint::ActivateZone;
            Ok(Reply::ok(zone_json(
                &org_url,
                org.set_zone_status(audit, request.param(0), active)?,
            )))
        }
        Endpoint::ListPolicies => {
            let policy_type = request
                .query("type")
                .ok_or_else(|| ApiError::MissingParameter {
                    name: "type".to_string(),
                })?;
            let expand_rules = request.query("expand") == Some("rules");
            let policies: Vec<Value> = org
                .policies_of_type(policy_type)
                .into_iter()
                .map(|policy| {
                    let mut body = policy_json(&org_url, policy);
                    if expand_rules {
                        let rules: Vec<Value> = org
                            .rules_of(&policy.id)
                            .into_iter()
                            .map(|rule| rule_json(&org_url, rule))
                            .collect();
                        body["_embedded"] = json!({ "rules": rules });
                    }
                    body
                })
                .collect();
            // One page, but a self link, as in every recorded answer (okta-sdk-python).
            Ok(Reply::page(
                Value::Array(policies),
                request.links("policies", None),
            ))
        }
        Endpoint::CreatePolicy => {
            let activate = match request.query("activate") {
                Some(_) => Some(request.bool_query("activate", true)?),
                None => None,
            };
            let active = org.new_policy_active(activate)?;
            let policy = parse_policy(request, "settings", active)?;
            Ok(Reply::ok(policy_json(
                &org_url,
                org.create_policy(audit, policy)?,
            )))
        }
        Endpoint::GetPolicy => Ok(Reply::ok(policy_json(
            &org_url,
            org.find_policy(request.param(0))?,
        ))),
        Endpoint::ReplacePolicy => {
            let policy = parse_policy(request, "settings", true)?;
            Ok(Reply::ok(policy_json(
                &org_url,
                org.replace_policy(audit, request.param(0), policy)?,
            )))
        }
        Endpoint::DeletePolicy => {
            org.delete_policy(audit, request.param(0))?;
            Ok(Reply::no_content())
        }
        Endpoint::ActivatePolicy | Endpoint::DeactivatePolicy => {
            org.set_policy_status(
                audit,
                request.param(0),
                endpoint == Endpoint::ActivatePolicy,
            )?;
            Ok(Reply::no_content())
        }
        Endpoint::ListRules => {
            org.find_policy(request.param(0))?;
            let rules: Vec<Value> = org
                .rules_of(request.param(0))
                .into_iter()
                .map(|rule| rule_json(&org_url, rule))
                .collect();
            Ok(Reply::ok(Value::Array(rules)))
        }
        Endpoint::CreateRule => {
            let active = request.bool_query("activate", true)?;
            let rule = parse_policy(request, "actions", active)?;
            Ok(Reply::ok(rule_json(
                &org_url,
                org.create_rule(audit, request.param(0), rule)?,
            )))
        }
        Endpoint::GetRule => Ok(Reply::ok(rule_json(
            &org_url,
            org.find_rule(request.param(0), request.param(1))?,
        ))),
        Endpoint::ReplaceRule => {
            let rule = parse_policy(request, "actions", true)?;
            Ok(Reply::ok(rule_json(
                &org_url,
                org.replace_rule(audit, request.param(0), request.param(1), rule)?,
            )))
        }
        Endpoint::DeleteRule => {
            org.delete_rule(audit, request.param(0), request.param(1))?;
            Ok(Reply::no_content())
        }
        Endpoint::ActivateRule | Endpoint::DeactivateRule => {
            org.set_rule_status(
                audit,
                request.param(0),
                request.param(1),
                endpoint == Endpoint::ActivateRule,
            )?;
            Ok(Reply::no_content())
        }
        Endpoint::ListTokens => {
            let tokens: Vec<Value> = org
                .tokens
                .values()
                .map(|token| token_json(&org_url, token))
                .collect();
            Ok(Reply::ok(Value::Array(tokens)))
        }
        Endpoint::GetToken => Ok(Reply::ok(token_json(
            &org_url,
            org.find_token(request.param(0))?,
        ))),
        Endpoint::UpsertToken => {
            let body = request.json_object()?;
            let name = body.get("name").and_then(Value::as_str).map(str::to_string);
            let network = body.get("network").cloned();
            Ok(Reply::ok(token_json(
                &org_url,
                org.update_token(audit, request.param(0), name, network)?,
            )))
        }
        Endpoint::RevokeToken => {
            org.revoke_token(audit, request.param(0))?;
            Ok(Reply::no_content())
        }
        Endpoint::RevokeCurrentToken => {
            org.revoke_token(audit, &request.principal.token_id)?;
            Ok(Reply::no_content())
        }
        Endpoint::ListLogs => list_logs(org, request),
    }
}

fn user_id_or_me(org: &Org, request: &Request) -> Result<String, ApiError> {
    find_user_or_me(org, request).map(|user| user.id.clone())
}

/// The security question as Okta's Factors API lists it: in Identity Engine the recovery question
/// is the `question` authenticator's enrollment.
fn question_factor_json(org_url: &str, user: &User) -> Value {
    let factor_id = Org::question_factor_id(&user.id);
    json!({
        "id": factor_id,
        "factorType": "question",
        "provider": "OKTA",
        "vendorName": "OKTA",
        "status": "ACTIVE",
        "created": format_millis(user.created),
        "lastUpdated": format_millis(user.last_updated),
        "profile": {
            "question": "custom",
            "questionText": user.recovery_question.clone().unwrap_or_default(),
        },
        "_links": {
            "self": {"href": format!("{org_url}/api/v1/users/{}/factors/{factor_id}", user.id)},
            "user": {"href": format!("{org_url}/api/v1/users/{}", user.id)},
        },
    })
}

fn find_user_or_me<'o>(org: &'o Org, request: &Request) -> Result<&'o User, ApiError> {
    match request.param(0) {
        "me" => org.find_user(&request.principal.user_id),
        other => org.find_user(other),
    }
}

fn password_of(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match body.pointer_in("credentials", "password") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(password)) => match password.get("value") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) => Ok(Some(value.clone())),
            Some(_) => Err(ApiError::MalformedBody),
        },
        Some(_) => Err(ApiError::MalformedBody),
    }
}

/// `credentials.recovery_question`: `{question, answer}`, both strings when present.
fn recovery_question_of(body: &Map<String, Value>) -> Result<Option<RecoveryQuestion>, ApiError> {
    match body.pointer_in("credentials", "recovery_question") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(fields)) => {
            let text = |name: &str| match fields.get(name) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(text)) => Ok(text.clone()),
                Some(_) => Err(ApiError::MalformedBody),
            };
            Ok(Some(RecoveryQuestion {
                question: text("question")?,
                answer: text("answer")?,
            }))
        }
        Some(_) => Err(ApiError::MalformedBody),
    }
}

trait PointerIn {
    fn pointer_in(&self, first: &str, second: &str) -> Option<&Value>;
}

impl PointerIn for Map<String, Value> {
    fn pointer_in(&self, first: &str, second: &str) -> Option<&Value> {
        self.get(first).and_then(|inner| inner.get(second))
    }
}

/// A user body's profile, password and recovery question.
type UserBody = (Map<String, Value>, Option<String>, Option<RecoveryQuestion>);

fn parse_user_body(body: &Map<String, Value>) -> Result<UserBody, ApiError> {
    let profile = match body.get("profile") {
        Some(Value::Object(profile)) => profile.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(ApiError::MalformedBody),
    };
    let password = password_of(body)?;
    let recovery_question = recovery_question_of(body)?;
    Ok((profile, password, recovery_question))
}

fn parse_new_user(request: &Request) -> Result<NewUser, ApiError> {
    let body = request.json_object()?;
    let (profile, password, recovery_question) = parse_user_body(&body)?;
    let group_ids = match body.get("groupIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| {
                id.as_str()
                    .map(str::to_string)
                    .ok_or(ApiError::MalformedBody)
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ApiError::MalformedBody),
    };
    if group_ids.len() > 20 {
        return Err(ApiError::invalid(
            "groupIds: At most 20 groups can be assigned at creation",
        ));
    }
    Ok(NewUser {
        profile,
        password,
        recovery_question,
        activate: request.bool_query("activate", true)?,
        group_ids,
        expire_password: request.query("nextLogin") == Some("changePassword"),
    })
}

fn create_child_org(state: &mut State, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let text = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let admin = match body.get("admin") {
        Some(Value::Object(admin)) => admin.clone(),
        _ => return Err(ApiError::invalid("admin: The field cannot be left blank")),
    };
    let (profile, password, recovery_question) = parse_user_body(&admin)?;
    let new_org = NewOrg {
        subdomain: text("subdomain"),
        name: text("name"),
        website: body
            .get("website")
            .and_then(Value::as_str)
            .map(str::to_string),
        edition: text("edition"),
        admin: NewUser {
            profile,
            password,
            recovery_question,
            activate: true,
            group_ids: Vec::new(),
            expire_password: false,
        },
    };
    let created = state.create_child_org(request.audit, new_org)?;
    let org = state.org(&created.subdomain).expect("just created");
    let org_url = format!("{}/{}", request.base_url, created.subdomain);
    Ok(Reply::created(json!({
        "id": org.id,
        "subdomain": org.subdomain,
        "name": org.name,
        "website": org.website,
        "status": "ACTIVE",
        "edition": "SKU",
        "expiresAt": null,
        "created": format_millis(org.created),
        "lastUpdated": format_millis(org.last_updated),
        "licensing": { "apps": [] },
        "settings": {
            "app": { "errorRedirectUrl": null, "interstitialUrl": null, "interstitialMinWaitTime": 1200 },
            "userAccount": { "attributes": { "secondaryEmail": true, "secondaryImage": true } },
            "portal": { "errorRedirectUrl": null, "signOutUrl": null },
            "logs": { "level": "INFO" }
        },
        "token": created.token,
        "tokenType": "SSWS",
        "_links": {
            "administrator": { "href": format!("{org_url}/api/v1/users/{}", created.admin_id) },
            "organization": { "href": format!("{org_url}/api/v1/orgs/{}", org.id) },
            "contacts": { "href": format!("{org_url}/api/v1/orgs/{}/contacts", org.id) },
            "policy": { "href": format!("{org_url}/api/v1/orgs/{}/policy", org.id) },
            "uploadLogo": { "href": format!("{org_url}/api/v1/orgs/{}/logo", org.id), "hints": { "allow": ["POST"] } }
        }
    })))
}

const USER_FILTER_ATTRIBUTES: &[&str] = &[
    "status",
    "lastUpdated",
    "id",
    "profile.login",
    "profile.email",
    "profile.firstName",
    "profile.lastName",
];

fn check_expression(
    text: &str,
    allowed: impl Fn(&str, Operator) -> bool,
) -> Result<Expression, ApiError> {
    let expression = query::parse(text).map_err(|detail| ApiError::InvalidSearch { detail })?;
    for (attribute, operator) in expression.comparisons() {
        if !allowed(attribute, operator) {
            return Err(ApiError::InvalidSearch {
                detail: format!("Unsupported attribute or operator in expression: {attribute}"),
            });
        }
    }
    Ok(expression)
}

fn list_users(org: &Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let limit = request.limit(200, 200)?;
    let mut after = request.after("users")?;
    let expression = if let Some(filter) = request.query("filter") {
        Some(check_expression(filter, |attribute, operator| {
            USER_FILTER_ATTRIBUTES.contains(&attribute)
                && (operator == Operator::Eq
                    || (attribute == "lastUpdated"
                        && matches!(
                            operator,
                            Operator::Gt | Operator::Ge | Operator::Lt | Operator::Le
                        )))
        })?)
    } else if let Some(search) = request.query("search") {
        Some(check_expression(search, |attribute, operator| {
            let attribute_ok = attribute.starts_with("profile.")
                || [
                    "id",
                    "status",
                    "created",
                    "activated",
                    "statusChanged",
                    "lastUpdated",
                    "type.id",
                ]
                .contains(&attribute);
            let operator_ok = match operator {
                Operator::Eq | Operator::Sw | Operator::Present => true,
                Operator::Co => [
                    "profile.firstName",
                    "profile.lastName",
                    "profile.email",
                    "profile.login",
                ]
                .contains(&attribute),
                Operator::Gt | Operator::Ge | Operator::Lt | Operator::Le => {
                    ["created", "activated", "statusChanged", "lastUpdated"].contains(&attribute)
                }
                _ => false,
            };
            attribute_ok && operator_ok
        })?)
    } else {
        None
    };
    let starts_with = request.query("q").map(str::to_string);
    if starts_with.is_some() {
        after = None;
    }
    let page = org.list_users(&UserQuery {
        expression,
        exact_case: request.query("filter").is_some(),
        now: request.audit.now,
        search_lag_ms: request.lag.search_ms,
        starts_with: starts_with.clone(),
        after,
        limit,
    });
    let users: Vec<Value> = page
        .items
        .iter()
        .map(|user| user_json(&org_url, user, false))
        .collect();
    let next = if starts_with.is_some() {
        None
    } else {
        page.next_after
    };
    Ok(Reply::page(
        Value::Array(users),
        request.links("users", next),
    ))
}

fn list_groups(org: &Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let limit = request.limit(10000, 10000)?;
    let after = request.after("groups")?;
    let expression = match (request.query("filter"), request.query("search")) {
        (Some(text), _) | (None, Some(text)) => Some(check_expression(text, |attribute, _| {
            [
                "id",
                "type",
                "lastUpdated",
                "lastMembershipUpdated",
                "created",
            ]
            .contains(&attribute)
                || attribute.starts_with("profile.")
        })?),
        (None, None) => None,
    };
    let prefix = request.query("q").map(str::to_lowercase);
    let rows = org.groups.iter().filter(|(_, group)| {
        expression
            .as_ref()
            .is_none_or(|expression| expression.matches(&group.search_document()))
            && prefix
                .as_ref()
                .is_none_or(|prefix| group.name.to_lowercase().starts_with(prefix))
    });
    let page = crate::emulator::store::paginate(rows, after, limit);
    let groups: Vec<Value> = page
        .items
        .iter()
        .map(|group| group_json(&org_url, group))
        .collect();
    Ok(Reply::page(
        Value::Array(groups),
        request.links("groups", page.next_after),
    ))
}

fn list_zones(org: &Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let limit = request.limit(20, 1000)?;
    let after = request.after("zones")?;
    let expression = match request.query("filter") {
        Some(text) => Some(check_expression(text, |attribute, operator| {
            ["id", "usage", "system"].contains(&attribute) && operator == Operator::Eq
        })?),
        None => None,
    };
    let rows = org.zones.iter().filter(|(_, zone)| {
        expression.as_ref().is_none_or(|expression| {
            expression
                .matches(&json!({ "id": zone.id, "usage": zone.usage, "system": zone.system }))
        })
    });
    let page = crate::emulator::store::paginate(rows, after, limit);
    let zones: Vec<Value> = page
        .items
        .iter()
        .map(|zone| zone_json(&org_url, zone))
        .collect();
    Ok(Reply::page(
        Value::Array(zones),
        request.links("zones", page.next_after),
    ))
}

fn parse_zone(request: &Request) -> Result<NewZone, ApiError> {
    let body = request.json_object()?;
    let list = |name: &str| -> Result<Vec<Value>, ApiError> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(_) => Err(ApiError::MalformedBody),
        }
    };
    Ok(NewZone {
        zone_type: body
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("IP")
            .to_string(),
        name: body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        usage: body
            .get("usage")
            .and_then(Value::as_str)
            .unwrap_or("POLICY")
            .to_string(),
        gateways: list("gateways")?,
        proxies: list("proxies")?,
    })
}

fn parse_policy(request: &Request, body_field: &str, active: bool) -> Result<NewPolicy, ApiError> {
    let body = request.json_object()?;
    let kind = body
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("type: The field cannot be left blank"))?
        .to_string();
    let priority = match body.get("priority") {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) => match number.as_u64() {
            Some(priority) if priority >= 1 => Some(priority.min(u32::MAX as u64) as u32),
            _ => return Err(ApiError::invalid("priority: Must be a positive integer")),
        },
        Some(_) => return Err(ApiError::MalformedBody),
    };
    let active = match body.get("status").and_then(Value::as_str) {
        Some("ACTIVE") => true,
        Some("INACTIVE") => false,
        _ => active,
    };
    Ok(NewPolicy {
        kind,
        name: body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        priority,
        active,
        conditions: body.get("conditions").cloned().unwrap_or_else(|| json!({})),
        body: body.get(body_field).cloned().unwrap_or_else(|| json!({})),
    })
}

fn list_logs(org: &Org, request: &Request) -> Result<Reply, ApiError> {
    let now = request.audit.now;
    let invalid = |name: &str| ApiError::invalid(format!("{name}: Invalid value"));
    let until = match request.query("until") {
        Some(text) => Some(parse_timestamp(text).ok_or_else(|| invalid("until"))?),
        None => None,
    };
    let since = match request.query("since") {
        Some(text) => parse_timestamp(text).ok_or_else(|| invalid("since"))?,
        // A cursor says where to resume; the default window does not apply to it.
        None if request.query("after").is_some() => i64::MIN,
        None => until.unwrap_or(now) - 7 * 24 * 3600 * 1000,
    };
    // `after` and `since` together are a normal request: Okta's spec sets no restriction, and
    // Okta's Python SDK pages by re-sending the same query with the cursor added.
    let limit = match request.query("limit") {
        None => 100,
        Some(text) => match text.parse::<i64>() {
            Ok(value) if (0..=1000).contains(&value) => value as usize,
            _ => return Err(invalid("limit")),
        },
    };
    let descending = match request.query("sortOrder") {
        None | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(_) => return Err(invalid("sortOrder")),
    };
    let after = request.after("logs")?;
    let filter = match request.query("filter") {
        Some(text) => {
            let expression =
                query::parse(text).map_err(|detail| ApiError::InvalidScimFilter { detail })?;
            if expression
                .comparisons()
                .iter()
                .any(|(attribute, _)| *attribute == "published")
            {
                return Err(ApiError::InvalidScimFilter {
                    detail: "published: Filtering on published is not allowed; use since and until"
                        .to_string(),
                });
            }
            Some(expression)
        }
        None => None,
    };
    let keywords: Vec<String> = request
        .query("q")
        .map(|q| q.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default();
    if keywords.len() > 10 || keywords.iter().any(|k| k.chars().count() > 40) {
        return Err(ApiError::invalid(
            "q: At most 10 keywords of at most 40 characters",
        ));
    }
    // Events published within the last `log_ms` are not ingested yet: Okta's System Log is
    // "near real-time", not synchronous. Uniform lag keeps them in publication order.
    let ingested_until = now.saturating_sub(request.lag.log_ms.max(0));
    let ingested = |event: &crate::emulator::store::Event| event.published <= ingested_until;
    let matches = |event: &crate::emulator::store::Event| {
        ingested(event)
            && event.published >= since
            && until.is_none_or(|until| event.published < until)
            && filter.as_ref().is_none_or(|f| f.matches(&event.body))
            && (keywords.is_empty() || {
                let text = event.body.to_string().to_lowercase();
                keywords.iter().all(|keyword| text.contains(keyword))
            })
    };
    let mut items = Vec::new();
    let mut last_seq = None;
    let mut more = false;
    let candidates: Box<dyn Iterator<Item = (&u64, &crate::emulator::store::Event)>> = if descending
    {
        Box::new(
            org.events
                .iter()
                .rev()
                .filter(|(seq, _)| after.is_none_or(|a| **seq < a)),
        )
    } else {
        Box::new(
            org.events
                .iter()
                .filter(|(seq, _)| after.is_none_or(|a| **seq > a)),
        )
    };
    for (seq, event) in candidates.filter(|(_, event)| matches(event)) {
        if items.len() == limit {
            more = true;
            break;
        }
        last_seq = Some(*seq);
        items.push(event.body.clone());
    }
    let polling = until.is_none() && !descending;
    let next = if polling {
        // Polling requests always have a next link; it resumes after the newest event seen,
        // or the newest ingested one, so an event still on its way is listed by the next poll.
        Some(last_seq.or(after).unwrap_or_else(|| {
            org.events
                .iter()
                .rev()
                .find(|(_, event)| ingested(event))
                .map_or(0, |(seq, _)| *seq)
        }))
    } else if more {
        last_seq
    } else {
        None
    };
    Ok(Reply::page(
        Value::Array(items),
        request.links_without("logs", next, &["since"]),
    ))
}

// ----- wire shapes ---------------------------------------------------------------------------

fn href(url: String) -> Value {
    json!({ "href": url })
}

fn post_link(url: String) -> Value {
    json!({ "href": url, "method": "POST" })
}

/// A user as Okta returns it; `detailed` adds the lifecycle links of its current status (lists
/// carry only `self`).
pub fn user_json(org_url: &str, user: &User, detailed: bool) -> Value {
    let self_url = format!("{org_url}/api/v1/users/{}", user.id);
    let mut links = Map::new();
    links.insert("self".to_string(), href(self_url.clone()));
    if detailed {
        let lifecycle = |name: &str| post_link(format!("{self_url}/lifecycle/{name}"));
        let available: &[(&str, &str)] = match user.status {
            // Every recorded STAGED user (okta-sdk-python) links activate and not deactivate.
            UserStatus::Staged => &[("activate", "activate")],
            UserStatus::Provisioned => &[
                ("reactivate", "reactivate"),
                ("resetPassword", "reset_password"),
                ("deactivate", "deactivate"),
            ],
            UserStatus::Active => &[
                ("suspend", "suspend"),
                ("resetPassword", "reset_password"),
                ("expirePassword", "expire_password"),
                ("deactivate", "deactivate"),
            ],
            UserStatus::PasswordExpired | UserStatus::Recovery => &[
                ("resetPassword", "reset_password"),
                ("deactivate", "deactivate"),
            ],
            UserStatus::LockedOut => &[("unlock", "unlock"), ("deactivate", "deactivate")],
            UserStatus::Suspended => &[("unsuspend", "unsuspend"), ("deactivate", "deactivate")],
            UserStatus::Deprovisioned => &[("activate", "activate")],
        };
        for (name, path) in available {
            links.insert(name.to_string(), lifecycle(path));
        }
        links.insert(
            "schema".to_string(),
            href(format!("{org_url}/api/v1/meta/schemas/user/default")),
        );
        links.insert(
            "type".to_string(),
            href(format!("{org_url}/api/v1/meta/types/user/{}", user.type_id)),
        );
    }
    let mut credentials = Map::new();
    if user.has_password {
        credentials.insert("password".to_string(), json!({}));
    }
    // Okta returns the question and never the answer.
    match &user.recovery_question {
        Some(question) => {
            credentials.insert(
                "recovery_question".to_string(),
                json!({ "question": question }),
            );
        }
        // A data file from before the question's text was kept.
        None if user.has_recovery_question => {
            credentials.insert("recovery_question".to_string(), json!({ "question": null }));
        }
        None => {}
    }
    credentials.insert(
        "provider".to_string(),
        json!({ "type": "OKTA", "name": "OKTA" }),
    );
    json!({
        "id": user.id,
        "status": user.status.as_str(),
        "created": format_millis(user.created),
        "activated": user.activated.map(format_millis),
        "statusChanged": user.status_changed.map(format_millis),
        "lastLogin": null,
        "lastUpdated": format_millis(user.last_updated),
        "passwordChanged": user.password_changed.map(format_millis),
        "type": { "id": user.type_id },
        "profile": user.profile,
        "credentials": credentials,
        "_links": links,
    })
}

pub fn role_json(org_url: &str, user_id: &str, role: &RoleAssignment) -> Value {
    json!({
        "id": role.id,
        "label": role_label(&role.role_type),
        "type": role.role_type,
        "status": "ACTIVE",
        "created": format_millis(role.created),
        "lastUpdated": format_millis(role.last_updated),
        "assignmentType": "USER",
        "_links": { "assignee": href(format!("{org_url}/api/v1/users/{user_id}")) },
    })
}

pub fn group_json(org_url: &str, group: &Group) -> Value {
    let self_url = format!("{org_url}/api/v1/groups/{}", group.id);
    json!({
        "id": group.id,
        "created": format_millis(group.created),
        "lastUpdated": format_millis(group.last_updated),
        "lastMembershipUpdated": format_millis(group.last_membership_updated),
        "objectClass": ["okta:user_group"],
        "type": if group.built_in { "BUILT_IN" } else { "OKTA_GROUP" },
        "profile": { "name": group.name, "description": group.description },
        "_links": {
            "logo": [
                { "name": "medium", "href": format!("{org_url}/assets/img/logos/groups/okta-medium.png"), "type": "image/png" },
                { "name": "large", "href": format!("{org_url}/assets/img/logos/groups/okta-large.png"), "type": "image/png" }
            ],
            "users": href(format!("{self_url}/users")),
            "apps": href(format!("{self_url}/apps")),
        },
    })
}

pub fn zone_json(org_url: &str, zone: &Zone) -> Value {
    let self_url = format!("{org_url}/api/v1/zones/{}", zone.id);
    let (toggle_name, toggle_path) = if zone.status == "ACTIVE" {
        ("deactivate", "deactivate")
    } else {
        ("activate", "activate")
    };
    json!({
        "type": "IP",
        "id": zone.id,
        "name": zone.name,
        "status": zone.status,
        "usage": zone.usage,
        "created": format_millis(zone.created),
        "lastUpdated": format_millis(zone.last_updated),
        "system": zone.system,
        // Okta answers null, not [], for an empty list (system zones' gateways, proxies that
        // were not sent): recorded by both test suites.
        "gateways": null_when_empty(&zone.gateways),
        "proxies": null_when_empty(&zone.proxies),
        "_links": {
            "self": { "href": self_url, "hints": { "allow": ["GET", "PUT", "DELETE"] } },
            toggle_name: { "href": format!("{self_url}/lifecycle/{toggle_path}"), "hints": { "allow": ["POST"] } },
        },
    })
}

fn null_when_empty(items: &[Value]) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items.to_vec())
    }
}

pub fn policy_json(org_url: &str, policy: &Policy) -> Value {
    let self_url = format!("{org_url}/api/v1/policies/{}", policy.id);
    let toggle = if policy.status == "ACTIVE" {
        "deactivate"
    } else {
        "activate"
    };
    let mut body = json!({
        "id": policy.id,
        "status": policy.status,
        "name": policy.name,
        "description": policy.description,
        "priority": policy.priority,
        "system": policy.system,
        "conditions": policy.conditions,
        "created": format_millis(policy.created),
        "lastUpdated": format_millis(policy.last_updated),
        "settings": policy.settings,
        "type": policy.policy_type,
        "_links": {
            "self": { "href": self_url, "hints": { "allow": ["GET", "PUT", "DELETE"] } },
            toggle: { "href": format!("{self_url}/lifecycle/{toggle}"), "hints": { "allow": ["POST"] } },
            "rules": { "href": format!("{self_url}/rules"), "hints": { "allow": ["GET", "POST"] } },
        },
    });
    // Recorded sign-on policies have no `settings` at all, rather than an empty object.
    if policy.settings.as_object().is_some_and(Map::is_empty) {
        body.as_object_mut().expect("an object").remove("settings");
    }
    body
}

pub fn rule_json(org_url: &str, rule: &Rule) -> Value {
    let self_url = format!(
        "{org_url}/api/v1/policies/{}/rules/{}",
        rule.policy_id, rule.id
    );
    let toggle = if rule.status == "ACTIVE" {
        "deactivate"
    } else {
        "activate"
    };
    json!({
        "id": rule.id,
        "status": rule.status,
        "name": rule.name,
        "priority": rule.priority,
        "created": format_millis(rule.created),
        "lastUpdated": format_millis(rule.last_updated),
        "system": rule.system,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "type": rule.rule_type,
        "_links": {
            "self": { "href": self_url, "hints": { "allow": ["GET", "PUT", "DELETE"] } },
            toggle: { "href": format!("{self_url}/lifecycle/{toggle}"), "hints": { "allow": ["POST"] } },
        },
    })
}

pub fn token_json(org_url: &str, token: &ApiToken) -> Value {
    const THIRTY_DAYS_MILLIS: i64 = 30 * 24 * 3600 * 1000;
    json!({
        "id": token.id,
        "name": token.name,
        "userId": token.user_id,
        "clientName": token.client_name,
        "created": format_millis(token.created),
        // Okta expires a token 30 days after its last use, which the emulator does not track;
        // an update does not move it (recorded by terraform-provider-okta's API token test).
        "expiresAt": format_millis(token.created + THIRTY_DAYS_MILLIS),
        "lastUpdated": format_millis(token.last_updated),
        "tokenWindow": "P30D",
        "network": token.network,
        "_links": {
            "self": {
                "href": format!("{org_url}/api/v1/api-tokens/{}", token.id),
                "hints": { "allow": ["GET", "DELETE"] },
            },
            "user": {
                "href": format!("{org_url}/api/v1/users/{}", token.user_id),
                "hints": { "allow": ["GET"] },
            },
        },
    })
}

pub fn org_json(org_url: &str, org: &Org) -> Value {
    json!({
        "id": org.id,
        "companyName": org.name,
        "subdomain": org.subdomain,
        "website": org.website,
        "status": "ACTIVE",
        "created": format_millis(org.created),
        "lastUpdated": format_millis(org.last_updated),
        "expiresAt": null,
        "address1": null,
        "address2": null,
        "city": null,
        "state": null,
        "postalCode": null,
        "country": null,
        "phoneNumber": null,
        "endUserSupportHelpURL": null,
        "supportPhoneNumber": null,
        "_links": {
            "preferences": href(format!("{org_url}/api/v1/org/preferences")),
            "uploadLogo": { "href": format!("{org_url}/api/v1/org/logo"), "hints": { "allow": ["POST"] } },
            "oktaCommunication": href(format!("{org_url}/api/v1/org/privacy/oktaCommunication")),
            "oktaSupport": href(format!("{org_url}/api/v1/org/privacy/oktaSupport")),
            "contacts": href(format!("{org_url}/api/v1/org/contacts")),
        },
    })
}

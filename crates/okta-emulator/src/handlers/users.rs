//! `/api/v1/users`: users, their lifecycle, their groups and their factors.

use serde_json::{Map, Value, json};

use super::json_shapes::{group_json, user_json};
use super::{Reply, Request, check_expression};
use crate::error::ApiError;
use crate::query::Operator;
use crate::store::{Lifecycle, NewUser, Org, RecoveryQuestion, User, UserChange, UserQuery};
use crate::util::{format_millis, random_alphanumeric};

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
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

pub fn create(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let new_user = parse_new_user(request)?;
    let user = org.create_user(request.audit, new_user)?;
    Ok(Reply::ok(user_json(&request.org_url(), user, true)))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let user = find_user_or_me(org, request)?;
    Ok(Reply {
        etag: Some(format!("W/\"{}\"", user.last_updated)),
        ..Reply::ok(user_json(&request.org_url(), user, true))
    })
}

/// `POST`: the profile sent is merged into the user's.
pub fn update(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    change(org, request, false)
}

/// `PUT`: the profile sent replaces the user's.
pub fn replace(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    change(org, request, true)
}

fn change(org: &mut Org, request: &Request, replace_profile: bool) -> Result<Reply, ApiError> {
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
        request.audit,
        &id,
        UserChange {
            profile,
            replace_profile,
            password,
            recovery_question,
        },
    )?;
    Ok(Reply::ok(user_json(&request.org_url(), user, true)))
}

pub fn delete(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let id = user_id_or_me(org, request)?;
    org.delete_user(request.audit, &id)?;
    Ok(Reply::no_content())
}

/// `POST /api/v1/users/{userId}/lifecycle/{operation}`.
pub fn lifecycle(
    org: &mut Org,
    request: &Request,
    operation: Lifecycle,
) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let send_email_default = matches!(operation, Lifecycle::Activate | Lifecycle::ResetPassword);
    let send_email = request.bool_query("sendEmail", send_email_default)?;
    let id = user_id_or_me(org, request)?;
    let user = org.lifecycle(request.audit, &id, operation)?;
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

/// `GET /api/v1/users/{userId}/groups`.
pub fn list_groups(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
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

/// `GET /api/v1/users/{userId}/factors`: only the security question is kept.
pub fn list_factors(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let user = find_user_or_me(org, request)?;
    let factors: Vec<Value> = user
        .has_recovery_question
        .then(|| question_factor_json(&org_url, user))
        .into_iter()
        .collect();
    Ok(Reply::ok(Value::Array(factors)))
}

pub fn delete_factor(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let id = user_id_or_me(org, request)?;
    org.delete_factor(request.audit, &id, request.param(1))?;
    Ok(Reply::no_content())
}

/// The user the path names, where `me` is the token's owner.
pub(super) fn find_user_or_me<'o>(org: &'o Org, request: &Request) -> Result<&'o User, ApiError> {
    match request.param(0) {
        "me" => org.find_user(&request.principal.user_id),
        other => org.find_user(other),
    }
}

pub(super) fn user_id_or_me(org: &Org, request: &Request) -> Result<String, ApiError> {
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

pub(super) fn parse_user_body(body: &Map<String, Value>) -> Result<UserBody, ApiError> {
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

const USER_FILTER_ATTRIBUTES: &[&str] = &[
    "status",
    "lastUpdated",
    "id",
    "profile.login",
    "profile.email",
    "profile.firstName",
    "profile.lastName",
];

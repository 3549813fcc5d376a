//! A user's credential operations (`/api/v1/users/{id}/credentials/…`), the lifecycle
//! operations that hand out or reset credentials (`expire_password_with_temp_password`,
//! `reset_factors`), the user's sessions, OAuth grants and clients, and linked identity
//! providers.

use serde_json::{Map, Value, json};

use super::users::user_id_or_me;
use super::{Reply, Request};
use crate::error::ApiError;
use crate::store::{Org, RecoveryQuestion, User};

/// `{"value": "..."}` under `name`, or an empty string when it is absent or null.
fn secret_value(body: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::Object(credential)) => match credential.get("value") {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(value)) => Ok(value.clone()),
            Some(_) => Err(ApiError::MalformedBody),
        },
        Some(_) => Err(ApiError::MalformedBody),
    }
}

/// `recovery_question: {question?, answer?}`, absent when not sent.
fn recovery_question(body: &Map<String, Value>) -> Result<Option<RecoveryQuestion>, ApiError> {
    match body.get("recovery_question") {
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

/// The user's credentials as the credential endpoints answer them: the password (never its
/// value), the recovery question (never its answer) and the provider.
fn credentials_json(user: &User) -> Value {
    let mut credentials = Map::new();
    if user.has_password {
        credentials.insert("password".to_string(), json!({}));
    }
    if let Some(question) = &user.recovery_question {
        credentials.insert(
            "recovery_question".to_string(),
            json!({ "question": question }),
        );
    }
    credentials.insert(
        "provider".to_string(),
        json!({ "type": "OKTA", "name": "OKTA" }),
    );
    Value::Object(credentials)
}

pub fn change_password(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    request.bool_query("strict", false)?;
    let old_password = secret_value(&body, "oldPassword")?;
    let new_password = secret_value(&body, "newPassword")?;
    let id = user_id_or_me(org, request)?;
    let user = org.change_password(request.audit, &id, &old_password, &new_password)?;
    Ok(Reply::ok(credentials_json(user)))
}

pub fn change_recovery_question(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let password = secret_value(&body, "password")?;
    let question = recovery_question(&body)?;
    let id = user_id_or_me(org, request)?;
    let user = org.change_recovery_question(request.audit, &id, &password, question)?;
    Ok(Reply::ok(credentials_json(user)))
}

pub fn forgot_password_with_answer(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    request.bool_query("sendEmail", true)?;
    let password = secret_value(&body, "password")?;
    let answer = recovery_question(&body)?
        .map(|question| question.answer)
        .unwrap_or_default();
    let id = user_id_or_me(org, request)?;
    let user = org.set_password_with_recovery_answer(request.audit, &id, &answer, &password)?;
    Ok(Reply::ok(credentials_json(user)))
}

pub fn expire_password_with_temporary(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    request.bool_query("revokeSessions", false)?;
    let id = user_id_or_me(org, request)?;
    let temporary = org.expire_password_with_temporary(request.audit, &id)?;
    Ok(Reply::ok(json!({ "tempPassword": temporary })))
}

pub fn reset_factors(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let id = user_id_or_me(org, request)?;
    org.reset_factors(request.audit, &id)?;
    Ok(Reply::ok(json!({})))
}

pub fn clear_sessions(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    request.bool_query("oauthTokens", false)?;
    request.bool_query("forgetDevices", true)?;
    let id = user_id_or_me(org, request)?;
    org.clear_sessions(request.audit, &id)?;
    Ok(Reply::no_content())
}

pub fn list_grants(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    user_id_or_me(org, request)?;
    request.limit(20, 200)?;
    Ok(Reply::page(json!([]), request.links("grants", None)))
}

/// `GET /api/v1/users/{id}/clients`: the OAuth clients that hold grants or tokens for the user;
/// the emulator issues none to users, so there are none.
pub fn list_clients(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    user_id_or_me(org, request)?;
    Ok(Reply::ok(json!([])))
}

/// `GET /api/v1/users/{id}/idps`: the identity providers the user is linked to; the emulator
/// has no identity providers, so there are none.
pub fn list_identity_providers(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    user_id_or_me(org, request)?;
    Ok(Reply::ok(json!([])))
}

pub fn revoke_grants(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    user_id_or_me(org, request)?;
    Ok(Reply::no_content())
}

pub fn get_grant(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let id = user_id_or_me(org, request)?;
    match org.find_user_grant(&id, request.param(1))? {}
}

pub fn revoke_grant(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    get_grant(org, request)
}

//! An OAuth client's credentials: how it authenticates at the token endpoint
//! (`token_endpoint_auth_method`), its client secret, the DPoP setting, and the public JWKs its
//! client assertions are signed with, which `/api/v1/apps/{appId}/credentials/jwks` manages one
//! at a time (add the next key, retire the old one: a rotation).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{App, OAuthSpec};
use crate::jose::PublicJwk;
use crate::store::{ApiError, Audit, Org};
use crate::util::{okta_id, random_alphanumeric};

/// Keys per client at most: "You have reached the maximum number of keys allowed (50)" (the
/// reference's `ErrorClientJsonWebKeyTooManyKids`).
pub const MAX_KEYS: usize = 50;

const AUTH_METHODS: &[&str] = &[
    "client_secret_basic",
    "client_secret_post",
    "client_secret_jwt",
    "private_key_jwt",
    "none",
];

/// Members a key carries in Okta's answers, or in the emulator's saved form, that are not part
/// of the JWK itself.
const NOT_JWK_MEMBERS: &[&str] = &[
    "id",
    "status",
    "created",
    "lastUpdated",
    "_links",
    "key_id",
    "last_updated",
];

const APPLICATION_TYPES: &[&str] = &["web", "native", "browser", "service"];

/// Okta's error causes for JWKs, from the reference's examples (`Api validation failed:
/// JsonWebKey`) and a recorded answer (okta-sdk-python cassette
/// test_sso_public_keys_lifecycle, for a key without `n`).
const SHORT_RSA: &str = "RSA key length in the 'jwks' is less than '2,048' bits for the given key.";
const DUPLICATE_KID: &str = "All keys in the 'jwks' must have a unique `kid`.";
const MISSING_KID: &str = "Each key should have a unique kid when adding multiple keys. Use the Apps API to update the JWKS to add a kid for the existing key, or delete the existing key and re-add the key with a kid using the JWKS APIs.";
const DELETE_ACTIVE: &str =
    "You can't delete an active JSON Web Key. Deactivate the key before deleting it.";
const DEACTIVATE_ONLY: &str = "Can't deactivate the only active JSON Web Key when the value for `token_endpoint_auth_method` is `private_key_jwt`.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum KeyStatus {
    #[default]
    Active,
    Inactive,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "ACTIVE",
            KeyStatus::Inactive => "INACTIVE",
        }
    }
}

/// One public JWK of a client, with the id and status Okta's JWKS API gives it. Service apps
/// registered before the JWKS API existed stored bare JWKs: they get an id and are active.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientKey {
    /// `pks…`.
    #[serde(default = "new_key_id")]
    pub key_id: String,
    #[serde(default)]
    pub status: KeyStatus,
    #[serde(default)]
    pub created: i64,
    #[serde(default)]
    pub last_updated: i64,
    /// The public JWK as registered (`kty`, `kid`, `alg`, `use`, `n`/`e` or `crv`/`x`/`y`).
    #[serde(flatten)]
    pub jwk: Map<String, Value>,
}

fn new_key_id() -> String {
    okta_id("pks")
}

impl ClientKey {
    pub fn kid(&self) -> Option<&str> {
        self.jwk.get("kid").and_then(Value::as_str)
    }

    fn thumbprint(&self) -> Option<String> {
        PublicJwk::parse(&Value::Object(self.jwk.clone()))
            .ok()
            .map(|key| key.thumbprint())
    }
}

fn jwk_error(cause: &str) -> ApiError {
    ApiError::Validation {
        summary: "JsonWebKey".to_string(),
        causes: vec![cause.to_string()],
    }
}

/// Checks one public signing JWK; the cause names what is wrong.
fn check_jwk(jwk: &Map<String, Value>) -> Result<(), &'static str> {
    if jwk.get("use").and_then(Value::as_str) == Some("enc") {
        return Err("jwks: encryption keys (use: enc) are not supported by okta-emulator");
    }
    match PublicJwk::parse(&Value::Object(jwk.clone())) {
        Ok(_) => Ok(()),
        Err(_) if jwk.get("kty").and_then(Value::as_str) == Some("RSA") => Err(SHORT_RSA),
        Err(_) => Err("jwks: every key must be a public RSA (2048 to 8192 bits) or EC P-256 JWK"),
    }
}

/// Checks a whole key set: each key, unique `kid`s, a `kid` on each when there are several.
fn check_key_set<'a>(keys: impl Iterator<Item = &'a Map<String, Value>>) -> Vec<&'static str> {
    let keys: Vec<&Map<String, Value>> = keys.collect();
    let mut causes = Vec::new();
    for key in &keys {
        if let Err(cause) = check_jwk(key)
            && !causes.contains(&cause)
        {
            causes.push(cause);
        }
    }
    let kids: Vec<Option<&str>> = keys
        .iter()
        .map(|key| key.get("kid").and_then(Value::as_str))
        .collect();
    if keys.len() > 1 && kids.iter().any(Option::is_none) {
        causes.push(MISSING_KID);
    }
    let mut seen = std::collections::HashSet::new();
    if kids.iter().flatten().any(|kid| !seen.insert(*kid)) {
        causes.push(DUPLICATE_KID);
    }
    causes
}

/// The OAuth client part of an OIDC app's request, every problem added to `causes`.
pub(super) fn parse_oauth(
    body: &Map<String, Value>,
    causes: &mut Vec<String>,
) -> Option<OAuthSpec> {
    let credentials = body
        .get("credentials")
        .and_then(|credentials| credentials.get("oauthClient"));
    let settings = body
        .get("settings")
        .and_then(|settings| settings.get("oauthClient"));
    let auth_method = credentials
        .and_then(|client| client.get("token_endpoint_auth_method"))
        .and_then(Value::as_str)
        .unwrap_or("client_secret_basic")
        .to_string();
    if !AUTH_METHODS.contains(&auth_method.as_str()) {
        causes.push(format!(
            "token_endpoint_auth_method: '{auth_method}' is not one of {}",
            AUTH_METHODS.join(", ")
        ));
    }
    let client_id = credentials
        .and_then(|client| client.get("client_id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    // The reference (`ApplicationCredentialsOAuthClient.client_id`): 6 to 100 characters,
    // letters, digits and `$-_.+!*'(),`, never the reserved `ALL_CLIENTS`.
    if let Some(client_id) = &client_id
        && (!(6..=100).contains(&client_id.len())
            || client_id == "ALL_CLIENTS"
            || !client_id
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"$-_.+!*'(),".contains(&byte)))
    {
        causes.push(
            "client_id: 6 to 100 letters, digits or $-_.+!*'(), and not ALL_CLIENTS".to_string(),
        );
    }
    let Some(settings) = settings.and_then(Value::as_object) else {
        causes.push("settings.oauthClient: The field cannot be left blank".to_string());
        return None;
    };
    let application_type = settings
        .get("application_type")
        .and_then(Value::as_str)
        .unwrap_or("web");
    if !APPLICATION_TYPES.contains(&application_type) {
        causes.push(format!(
            "application_type: '{application_type}' is not one of web, native, browser, service"
        ));
    }
    let grant_types: Vec<&str> = settings
        .get("grant_types")
        .and_then(Value::as_array)
        .map(|grants| grants.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if application_type == "service" && grant_types != ["client_credentials"] {
        causes.push(
            "grant_types: a service app takes exactly the client_credentials grant".to_string(),
        );
    }
    // An app read back and sent again carries each key's `id` and `status` (and whatever else
    // the JWKS API adds): those are the key's, not the JWK's.
    let jwks: Vec<Map<String, Value>> = settings
        .get("jwks")
        .and_then(|jwks| jwks.get("keys"))
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(Value::as_object)
                .map(|jwk| {
                    let mut jwk = jwk.clone();
                    for member in NOT_JWK_MEMBERS {
                        jwk.remove(*member);
                    }
                    jwk
                })
                .collect()
        })
        .unwrap_or_default();
    if jwks.len() > MAX_KEYS {
        causes.push(format!(
            "You can't create a new key. You have reached the maximum number of keys allowed ({MAX_KEYS}). To add another key, you must first delete an existing one."
        ));
    }
    causes.extend(check_key_set(jwks.iter()).into_iter().map(str::to_string));
    if auth_method == "private_key_jwt" && jwks.is_empty() {
        causes.push(
            "jwks: private_key_jwt needs at least one public key in settings.oauthClient.jwks.keys"
                .to_string(),
        );
    }
    if settings.contains_key("jwks_uri") {
        causes.push("jwks_uri: okta-emulator takes the keys themselves in jwks".to_string());
    }
    let dpop_required = match settings.get("dpop_bound_access_tokens") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(required)) => *required,
        Some(_) => {
            causes.push("dpop_bound_access_tokens: a boolean".to_string());
            false
        }
    };
    Some(OAuthSpec {
        client_id,
        auth_method,
        jwks,
        dpop_required,
    })
}

/// Sets an app's OAuth client from a create or replace request. A key sent again (same `kid`
/// and the same key material) keeps its id, status and dates; the others are new and active.
pub(super) fn apply_oauth(app: &mut App, oauth: OAuthSpec, now: i64) {
    app.auth_method = oauth.auth_method;
    app.dpop_required = oauth.dpop_required;
    if app.auth_method.starts_with("client_secret") {
        app.client_secret
            .get_or_insert_with(|| random_alphanumeric(64));
    } else {
        app.client_secret = None;
    }
    let previous = std::mem::take(&mut app.keys);
    app.keys = oauth
        .jwks
        .into_iter()
        .map(|jwk| {
            let fresh = ClientKey {
                key_id: new_key_id(),
                status: KeyStatus::Active,
                created: now,
                last_updated: now,
                jwk,
            };
            previous
                .iter()
                .find(|old| old.kid() == fresh.kid() && old.thumbprint() == fresh.thumbprint())
                .cloned()
                .unwrap_or(fresh)
        })
        .collect();
}

impl Org {
    fn oauth_client_mut(&mut self, app_id: &str) -> Result<&mut App, ApiError> {
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        if !app.is_oauth_client() {
            return Err(jwk_error("The app is not an OAuth 2.0 client"));
        }
        Ok(app)
    }

    pub fn client_key(&self, app_id: &str, key_id: &str) -> Result<&ClientKey, ApiError> {
        self.app(app_id)?
            .keys
            .iter()
            .find(|key| key.key_id == key_id)
            .ok_or_else(|| ApiError::not_found(key_id, "JsonWebKey"))
    }

    /// `POST …/credentials/jwks`: one more key, active unless `status` says `INACTIVE`.
    pub fn add_client_key(
        &mut self,
        audit: &Audit,
        app_id: &str,
        mut body: Map<String, Value>,
    ) -> Result<&ClientKey, ApiError> {
        let status = match body.remove("status") {
            None | Some(Value::Null) => KeyStatus::Active,
            Some(Value::String(text)) if text == "ACTIVE" => KeyStatus::Active,
            Some(Value::String(text)) if text == "INACTIVE" => KeyStatus::Inactive,
            Some(_) => return Err(jwk_error("status: ACTIVE or INACTIVE")),
        };
        for member in NOT_JWK_MEMBERS {
            body.remove(*member);
        }
        let app = self.oauth_client_mut(app_id)?;
        if app.keys.len() >= MAX_KEYS {
            return Err(jwk_error(&format!(
                "You can't create a new key. You have reached the maximum number of keys allowed ({MAX_KEYS}). To add another key, you must first delete an existing one."
            )));
        }
        let set = app.keys.iter().map(|key| &key.jwk).chain([&body]);
        if let Some(cause) = check_key_set(set).first() {
            return Err(jwk_error(cause));
        }
        let key = ClientKey {
            key_id: new_key_id(),
            status,
            created: audit.now,
            last_updated: audit.now,
            jwk: body,
        };
        let key_id = key.key_id.clone();
        app.keys.push(key);
        app.last_updated = audit.now;
        let target = app.target();
        self.emit(
            audit,
            "app.oauth2.credentials.lifecycle.create",
            "Create client credential",
            vec![target, key_target(&key_id)],
            json!({}),
        );
        self.client_key(app_id, &key_id)
    }

    pub fn set_client_key_status(
        &mut self,
        audit: &Audit,
        app_id: &str,
        key_id: &str,
        status: KeyStatus,
    ) -> Result<&ClientKey, ApiError> {
        let app = self.oauth_client_mut(app_id)?;
        let active = app
            .keys
            .iter()
            .filter(|key| key.status == KeyStatus::Active)
            .count();
        let private_key_jwt = app.auth_method == "private_key_jwt";
        let key = app
            .keys
            .iter_mut()
            .find(|key| key.key_id == key_id)
            .ok_or_else(|| ApiError::not_found(key_id, "JsonWebKey"))?;
        if key.status == status {
            return self.client_key(app_id, key_id);
        }
        if status == KeyStatus::Inactive && private_key_jwt && active == 1 {
            return Err(jwk_error(DEACTIVATE_ONLY));
        }
        key.status = status;
        key.last_updated = audit.now;
        let target = app.target();
        let (event, message) = match status {
            KeyStatus::Active => (
                "app.oauth2.credentials.lifecycle.activate",
                "Activate client credential",
            ),
            KeyStatus::Inactive => (
                "app.oauth2.credentials.lifecycle.deactivate",
                "Deactivate client credential",
            ),
        };
        self.emit(
            audit,
            event,
            message,
            vec![target, key_target(key_id)],
            json!({}),
        );
        self.client_key(app_id, key_id)
    }

    /// Deletes an inactive key ("You can only delete an inactive key", the reference).
    pub fn delete_client_key(
        &mut self,
        audit: &Audit,
        app_id: &str,
        key_id: &str,
    ) -> Result<(), ApiError> {
        if self.client_key(app_id, key_id)?.status == KeyStatus::Active {
            return Err(jwk_error(DELETE_ACTIVE));
        }
        let app = self.oauth_client_mut(app_id)?;
        app.keys.retain(|key| key.key_id != key_id);
        app.last_updated = audit.now;
        let target = app.target();
        self.emit(
            audit,
            "app.oauth2.credentials.lifecycle.delete",
            "Delete client credential",
            vec![target, key_target(key_id)],
            json!({}),
        );
        Ok(())
    }
}

fn key_target(key_id: &str) -> Value {
    json!({ "id": key_id, "type": "JsonWebKey", "alternateId": key_id, "displayName": key_id, "detailEntry": null })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key read back from Okta's answer carries `id` and `status`; saved inside the JWK they
    /// would sit beside the key's own `status` and the saved app would not load again.
    #[test]
    fn keys_sent_back_as_read_keep_only_their_jwk_members() {
        let body = json!({
            "credentials": { "oauthClient": { "token_endpoint_auth_method": "private_key_jwt" } },
            "settings": { "oauthClient": {
                "application_type": "service",
                "grant_types": ["client_credentials"],
                "jwks": { "keys": [{
                    "id": "pks1", "status": "INACTIVE", "kid": "k1", "kty": "EC", "crv": "P-256",
                    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                }]},
            }},
        });
        let mut causes = Vec::new();
        let spec = parse_oauth(body.as_object().unwrap(), &mut causes).unwrap();
        assert!(causes.is_empty(), "{causes:?}");
        let key = ClientKey {
            key_id: "pks1".into(),
            status: KeyStatus::Active,
            created: 0,
            last_updated: 0,
            jwk: spec.jwks[0].clone(),
        };
        assert!(!key.jwk.contains_key("status") && !key.jwk.contains_key("id"));
        let saved = serde_json::to_string(&key).unwrap();
        let loaded: ClientKey = serde_json::from_str(&saved).unwrap();
        assert_eq!(loaded.kid(), Some("k1"));
        assert_eq!(loaded.status, KeyStatus::Active);
    }
}

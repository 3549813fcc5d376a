//! Custom authorization servers (`/api/v1/authorizationServers`): the servers themselves, their
//! lifecycle and signing keys here; their scopes and claims in `catalog`, their policies and
//! policy rules in `policies`.
//!
//! One server is one row of `Org::authorization_servers`, holding everything that belongs to it,
//! so the `--data` journal records a server and its children as one row and deleting a server
//! takes them with it.
//!
//! What a new server looks like follows okta-sdk-python v3.4.4's recordings against a real org
//! (cassettes `test_auth_server_it`): `ACTIVE`, `issuerMode` `ORG_URL`, one RS256 signing key in
//! `AUTO` rotation with the next rotation 90 days after the last, Okta's system scopes and claims,
//! and no policy. The emulator mints no token from a custom authorization server, so it holds no
//! private key: a signing key is a public JWK whose modulus is random bytes, with a `kid` that is
//! its RFC 7638 thumbprint, as Okta's are.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::table::Row;
use super::{ApiError, Audit, Org, validation};
use crate::jose::{PublicJwk, encode};
use crate::util::{okta_id, with_rng};

mod catalog;
mod policies;

pub use catalog::{Claim, NewClaim, NewScope, Scope};
pub use policies::{AsPolicy, AsRule, NewAsPolicy, NewAsRule};

/// Okta rotates an `AUTO` server's key every 90 days: each recording's `nextRotation` is its
/// `lastRotated` plus 90 days.
const ROTATION_MILLIS: i64 = 90 * 24 * 60 * 60 * 1000;
/// The size of a signing key's modulus (2048 bits, RS256).
const MODULUS_BYTES: usize = 256;
/// Bounds of a request's text (Okta documents none for a server; its policies' names stop at
/// 100 characters). The reference's "Okta currently supports only one audience" is checked in
/// `check_server`.
const MAX_NAME_CHARS: usize = 100;
const MAX_DESCRIPTION_CHARS: usize = 1_024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthServer {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub audiences: Vec<String>,
    pub active: bool,
    pub created: i64,
    pub last_updated: i64,
    /// When the current signing key became the active one.
    pub last_rotated: i64,
    /// Newest first: the `ACTIVE` key, then the `EXPIRED` one a rotation retired.
    pub keys: Vec<SigningKey>,
    pub scopes: Vec<Scope>,
    pub claims: Vec<Claim>,
    pub policies: Vec<AsPolicy>,
}

impl Row for AuthServer {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A signing key's public half, as Okta lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningKey {
    pub kid: String,
    /// `ACTIVE` or `EXPIRED`.
    pub status: String,
    /// Base64url modulus; the exponent is always 65537 (`AQAB`).
    pub n: String,
}

impl SigningKey {
    fn generate() -> SigningKey {
        let mut modulus = [0u8; MODULUS_BYTES];
        with_rng(|rng| rand::RngCore::fill_bytes(rng, &mut modulus));
        // A full-size, odd modulus, like any RSA modulus.
        modulus[0] |= 0x80;
        modulus[MODULUS_BYTES - 1] |= 1;
        let n = encode(&modulus);
        let kid = PublicJwk::parse(&json!({ "kty": "RSA", "e": "AQAB", "n": n }))
            .map(|jwk| jwk.thumbprint())
            .unwrap_or_else(|_| okta_id(""));
        SigningKey {
            kid,
            status: "ACTIVE".to_string(),
            n,
        }
    }
}

/// A server to create, or the full replacement of one.
pub struct NewAuthServer {
    pub name: String,
    pub description: Option<String>,
    pub audiences: Vec<String>,
}

impl AuthServer {
    pub fn status(&self) -> &'static str {
        if self.active { "ACTIVE" } else { "INACTIVE" }
    }

    pub fn active_kid(&self) -> &str {
        self.keys
            .iter()
            .find(|key| key.status == "ACTIVE")
            .map(|key| key.kid.as_str())
            .unwrap_or_default()
    }

    pub fn next_rotation(&self) -> i64 {
        self.last_rotated.saturating_add(ROTATION_MILLIS)
    }
}

impl Org {
    pub fn find_auth_server(&self, id: &str) -> Result<&AuthServer, ApiError> {
        self.authorization_servers.found(id, "AuthorizationServer")
    }

    fn auth_server_mut(&mut self, id: &str) -> Result<&mut AuthServer, ApiError> {
        self.authorization_servers
            .found_mut(id, "AuthorizationServer")
    }

    pub fn create_auth_server(
        &mut self,
        audit: &Audit,
        server: NewAuthServer,
    ) -> Result<&AuthServer, ApiError> {
        check_server(&server)?;
        let now = audit.now;
        let row = AuthServer {
            id: okta_id("aus"),
            name: server.name,
            description: server.description,
            audiences: server.audiences,
            active: true,
            created: now,
            last_updated: now,
            last_rotated: now,
            keys: vec![SigningKey::generate()],
            scopes: catalog::system_scopes(),
            claims: catalog::system_claims(),
            policies: Vec::new(),
        };
        let id = row.id.clone();
        let target = server_target(&row);
        let seq = self.next_seq();
        self.authorization_servers.insert(seq, row);
        self.emit(
            audit,
            "oauth2.as.created",
            "Authorization server is created",
            vec![target],
            json!({}),
        );
        self.find_auth_server(&id)
    }

    pub fn replace_auth_server(
        &mut self,
        audit: &Audit,
        id: &str,
        server: NewAuthServer,
    ) -> Result<&AuthServer, ApiError> {
        self.find_auth_server(id)?;
        check_server(&server)?;
        let row = self.auth_server_mut(id)?;
        row.name = server.name;
        row.description = server.description;
        row.audiences = server.audiences;
        row.last_updated = audit.now;
        let target = server_target(row);
        self.emit(
            audit,
            "oauth2.as.updated",
            "Authorization server is updated",
            vec![target],
            json!({}),
        );
        self.find_auth_server(id)
    }

    pub fn set_auth_server_status(
        &mut self,
        audit: &Audit,
        id: &str,
        active: bool,
    ) -> Result<(), ApiError> {
        let row = self.auth_server_mut(id)?;
        if row.active == active {
            return Ok(());
        }
        row.active = active;
        row.last_updated = audit.now;
        let target = server_target(row);
        let (event, message) = if active {
            ("oauth2.as.activated", "Authorization server is activated")
        } else {
            (
                "oauth2.as.deactivated",
                "Authorization server is deactivated",
            )
        };
        self.emit(audit, event, message, vec![target], json!({}));
        Ok(())
    }

    pub fn delete_auth_server(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let target = server_target(self.find_auth_server(id)?);
        self.authorization_servers.remove(id);
        self.emit(
            audit,
            "oauth2.as.deleted",
            "Authorization server is deleted",
            vec![target],
            json!({}),
        );
        Ok(())
    }

    /// Rotates the signing key: a new `ACTIVE` key, the old one `EXPIRED`, and the key expired
    /// before it gone (the recorded rotation answers exactly two keys, `ACTIVE` then `EXPIRED`).
    pub fn rotate_auth_server_keys(
        &mut self,
        audit: &Audit,
        id: &str,
        key_use: &str,
    ) -> Result<&AuthServer, ApiError> {
        self.find_auth_server(id)?;
        if key_use != "sig" {
            return Err(validation(vec![
                "use: The only supported key use is 'sig'".to_string(),
            ]));
        }
        let row = self.auth_server_mut(id)?;
        row.keys.retain(|key| key.status == "ACTIVE");
        for key in &mut row.keys {
            key.status = "EXPIRED".to_string();
        }
        row.keys.insert(0, SigningKey::generate());
        row.last_rotated = audit.now;
        row.last_updated = audit.now;
        self.find_auth_server(id)
    }
}

fn check_server(server: &NewAuthServer) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    if server.name.trim().is_empty() {
        causes.push("name: The field cannot be left blank".to_string());
    } else if server.name.chars().count() > MAX_NAME_CHARS {
        causes.push(format!(
            "name: The field must be at most {MAX_NAME_CHARS} characters"
        ));
    }
    if server
        .description
        .as_ref()
        .is_some_and(|text| text.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        causes.push(format!(
            "description: The field must be at most {MAX_DESCRIPTION_CHARS} characters"
        ));
    }
    match server.audiences.as_slice() {
        [] => causes.push("audiences: The field cannot be left blank".to_string()),
        [audience] if audience.trim().is_empty() => {
            causes.push("audiences: The field cannot be left blank".to_string())
        }
        [_] => {}
        _ => causes.push("audiences: Only one audience is supported".to_string()),
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(validation(causes))
    }
}

fn server_target(server: &AuthServer) -> Value {
    json!({ "id": server.id, "type": "AuthorizationServer", "alternateId": server.name, "displayName": server.name, "detailEntry": null })
}

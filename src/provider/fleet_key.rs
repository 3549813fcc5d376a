//! The fleet key: one private key, held by the MSP, that every customer org's service app
//! trusts (issue 26). Its public half is registered in each org's app with `kid` = its RFC 7638
//! thumbprint, so the same key gives the same `kid` whatever form it is read from. A next key
//! (rotation) is trusted beside it, never signed with.
//!
//! Read from `fleet_key_file` or `OKTA_MSP_FLEET_KEY` (the key itself, for CI secrets), and
//! `fleet_next_key_file` or `OKTA_MSP_FLEET_NEXT_KEY`, when the configuration is read: a
//! missing file or a malformed key fails `validate`, never an apply. Never written to state.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::okta::oauth::{ServiceApp, SigningKey};

use super::service_apps::DEFAULT_ORG_SCOPES;

pub const ENV_FLEET_KEY: &str = "OKTA_MSP_FLEET_KEY";
pub const ENV_FLEET_NEXT_KEY: &str = "OKTA_MSP_FLEET_NEXT_KEY";

/// The label of the service app okta-msp registers in each org: how a set-up that stopped
/// half-way finds the app it made.
pub const FLEET_APP_LABEL: &str = "okta-msp fleet";

/// What a fleet app is granted and requests: every scope of the provider's resources, plus the
/// app's own keys (`okta.apps.*`), so that a rotation needs no other credential.
pub fn fleet_scopes() -> Vec<String> {
    DEFAULT_ORG_SCOPES
        .iter()
        .copied()
        .chain(["okta.apps.read", "okta.apps.manage"])
        .map(str::to_owned)
        .collect()
}

/// The fleet key and, during a rotation, the next one.
#[derive(Clone)]
pub struct FleetKeys {
    /// What the provider signs with.
    pub current: Arc<SigningKey>,
    /// Trusted by every org's app beside `current`; not signed with.
    pub next: Option<Arc<SigningKey>>,
}

impl std::fmt::Debug for FleetKeys {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FleetKeys")
            .field("current", &self.current.key_id())
            .field("next", &self.next.as_ref().map(|key| key.key_id()))
            .finish()
    }
}

impl FleetKeys {
    /// The `kid`s every org's app should trust, sorted, each once.
    pub fn trusted_key_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::iter::once(&self.current)
            .chain(self.next.as_ref())
            .map(|key| key.key_id().unwrap_or_default().to_owned())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The public JWK of each trusted key, as an app registers it (`kid`, `alg`, `use`).
    pub fn public_keys(&self) -> Vec<Value> {
        let mut seen = Vec::new();
        std::iter::once(&self.current)
            .chain(self.next.as_ref())
            .filter(|key| {
                let fresh = !seen.contains(&key.key_id());
                seen.push(key.key_id());
                fresh
            })
            .map(|key| public_key(key))
            .collect()
    }

    /// The public JWK whose `kid` is `kid`, if it is one of the trusted keys.
    pub fn public_key_for(&self, kid: &str) -> Option<Value> {
        std::iter::once(&self.current)
            .chain(self.next.as_ref())
            .find(|key| key.key_id() == Some(kid))
            .map(|key| public_key(key))
    }

    /// The note okta-msp writes into the app it registers in the org `subdomain`
    /// (`settings.notes.admin`): the current key's `kid` and its signature over the subdomain.
    /// A public value that only the fleet key's holder can make, and that is good for this one
    /// org: how a later run tells okta-msp's app from one a stranger made to trust the fleet
    /// key's public key (issue 25).
    pub fn ownership_note(&self, subdomain: &str) -> Option<String> {
        let kid = self.current.key_id()?;
        let signature = self
            .current
            .sign(ownership_message(subdomain).as_bytes())
            .ok()?;
        Some(format!(
            "{OWNERSHIP_NOTE_PREFIX}{kid}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }

    /// Whether `note` is an `ownership_note` for `subdomain` signed by one of the fleet keys.
    pub fn signed_ownership(&self, subdomain: &str, note: &str) -> bool {
        let Some((kid, signature)) = note
            .strip_prefix(OWNERSHIP_NOTE_PREFIX)
            .and_then(|rest| rest.split_once('.'))
        else {
            return false;
        };
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        std::iter::once(&self.current)
            .chain(self.next.as_ref())
            .filter(|key| key.key_id() == Some(kid))
            .any(|key| key.verify(ownership_message(subdomain).as_bytes(), &signature))
    }

    /// The org's app with `client_id` as the Okta client takes it: signed with the current
    /// key, every fleet scope, DPoP from the first request (as the provider registers it).
    pub fn service_app(&self, client_id: &str) -> ServiceApp {
        ServiceApp {
            client_id: client_id.to_owned(),
            key: Arc::clone(&self.current),
            scopes: fleet_scopes(),
            use_dpop: true,
        }
    }
}

const OWNERSHIP_NOTE_PREFIX: &str = "okta-msp fleet app, signed ";

fn ownership_message(subdomain: &str) -> String {
    format!("okta-msp fleet app of the org {subdomain}")
}

fn public_key(key: &SigningKey) -> Value {
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!(key.key_id().unwrap_or_default());
    jwk["alg"] = json!(key.algorithm());
    jwk["use"] = json!("sig");
    jwk
}

/// Reads one key from its text, with `kid` set to its thumbprint. The error names where the
/// key came from, never its content.
fn read_key(text: &str, source: &str) -> Result<Arc<SigningKey>, String> {
    let key = SigningKey::parse(text, None).map_err(|error| format!("{source}: {error}"))?;
    let kid = key.thumbprint();
    Ok(Arc::new(key.with_key_id(kid)))
}

/// One key from a file path (argument) or else the environment variable holding the key.
fn key_from(
    file: Option<String>,
    argument: &str,
    variable: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Arc<SigningKey>>, String> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|error| format!("cannot read {argument} {path:?}: {error}"))?;
            read_key(&text, argument).map(Some)
        }
        None => match env(variable).filter(|text| !text.trim().is_empty()) {
            Some(text) => read_key(&text, variable).map(Some),
            None => Ok(None),
        },
    }
}

/// The fleet keys from `fleet_key_file` / `OKTA_MSP_FLEET_KEY` and `fleet_next_key_file` /
/// `OKTA_MSP_FLEET_NEXT_KEY`; `None` without a fleet key. A next key without a fleet key is an
/// error: rotation starts from a key in use.
pub fn fleet_keys(
    key_file: Option<String>,
    next_key_file: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<FleetKeys>, String> {
    let current = key_from(key_file, "fleet_key_file", ENV_FLEET_KEY, env)?;
    let next = key_from(
        next_key_file,
        "fleet_next_key_file",
        ENV_FLEET_NEXT_KEY,
        env,
    )?;
    match (current, next) {
        (Some(current), next) => Ok(Some(FleetKeys { current, next })),
        (None, None) => Ok(None),
        (None, Some(_)) => Err(format!(
            "a next fleet key is set without a fleet key: set fleet_key_file or {ENV_FLEET_KEY} to the key in use"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC_PEM: &str = include_str!("../../tests/fixtures/oauth/ec-pkcs8.pem");
    const EC_JWK: &str = include_str!("../../tests/fixtures/oauth/ec-private.jwk.json");
    const RSA_JWK: &str = include_str!("../../tests/fixtures/oauth/rsa-private.jwk.json");

    /// The ownership note in an org's app verifies for that org and that fleet only: not for
    /// another subdomain, not with another key, not altered, and not a mere copy of the shape.
    #[test]
    fn an_ownership_note_verifies_for_its_org_and_fleet_only() {
        for (key, other) in [(EC_JWK, RSA_JWK), (RSA_JWK, EC_JWK)] {
            let fleet = |text: &'static str| {
                let env = move |name: &str| (name == ENV_FLEET_KEY).then(|| text.to_owned());
                fleet_keys(None, None, &env).unwrap().unwrap()
            };
            let (ours, theirs) = (fleet(key), fleet(other));
            let note = ours.ownership_note("acme").unwrap();
            assert!(ours.signed_ownership("acme", &note));
            assert!(!ours.signed_ownership("acme2", &note), "another org");
            assert!(!theirs.signed_ownership("acme", &note), "another fleet");
            assert!(
                !theirs.signed_ownership("acme", &theirs.ownership_note("acme2").unwrap()),
                "another org's note"
            );
            // One character of the signature, well inside it, changed.
            let mut altered: Vec<char> = note.chars().collect();
            let inside = altered.len() - 10;
            altered[inside] = if altered[inside] == 'A' { 'B' } else { 'A' };
            let altered: String = altered.into_iter().collect();
            assert!(!ours.signed_ownership("acme", &altered), "altered");
            assert!(!ours.signed_ownership("acme", ""), "no note");
        }
    }

    #[test]
    fn a_fleet_key_s_kid_is_its_thumbprint_in_every_form() {
        let env = |name: &str| (name == ENV_FLEET_KEY).then(|| EC_JWK.to_owned());
        let keys = fleet_keys(None, None, &env).unwrap().unwrap();
        let thumbprint = SigningKey::parse(EC_PEM, None).unwrap().thumbprint();
        // The JWK's own kid ("test-ec-1") is not the fleet key's: the thumbprint is.
        assert_eq!(keys.current.key_id(), Some(thumbprint.as_str()));
        let public = keys.public_keys();
        assert_eq!(public.len(), 1);
        assert_eq!(public[0]["kid"], json!(thumbprint));
        assert_eq!(public[0]["alg"], json!("ES256"));
        assert!(public[0].get("d").is_none(), "no private member");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fleet.pem");
        std::fs::write(&path, EC_PEM).unwrap();
        let from_file = fleet_keys(Some(path.to_str().unwrap().into()), None, &|_| None)
            .unwrap()
            .unwrap();
        assert_eq!(from_file.trusted_key_ids(), [thumbprint]);
    }

    #[test]
    fn a_next_key_is_trusted_beside_the_current_one_and_needs_it() {
        let env = |name: &str| match name {
            ENV_FLEET_KEY => Some(EC_JWK.to_owned()),
            ENV_FLEET_NEXT_KEY => Some(RSA_JWK.to_owned()),
            _ => None,
        };
        let keys = fleet_keys(None, None, &env).unwrap().unwrap();
        assert_eq!(keys.trusted_key_ids().len(), 2);
        assert_eq!(keys.public_keys().len(), 2);
        let next_kid = keys.next.as_ref().unwrap().key_id().unwrap().to_owned();
        assert_eq!(keys.public_key_for(&next_kid).unwrap()["kty"], json!("RSA"));
        // The app signs with the current key.
        assert_eq!(keys.service_app("0oa1").key.algorithm(), "ES256");

        let only_next = |name: &str| (name == ENV_FLEET_NEXT_KEY).then(|| RSA_JWK.to_owned());
        assert!(
            fleet_keys(None, None, &only_next)
                .unwrap_err()
                .contains("without a fleet key")
        );
    }

    #[test]
    fn unusable_fleet_keys_are_named_without_their_content() {
        let garbled = EC_PEM.replace('A', "B");
        let env = |name: &str| (name == ENV_FLEET_KEY).then(|| garbled.clone());
        let error = fleet_keys(None, None, &env).unwrap_err();
        assert!(error.contains(ENV_FLEET_KEY), "{error}");
        for line in EC_PEM.lines().filter(|line| !line.starts_with("-----")) {
            assert!(!error.contains(line), "{error}");
        }
        let missing = fleet_keys(Some("/nonexistent/fleet.pem".into()), None, &|_| None);
        assert!(missing.unwrap_err().contains("/nonexistent/fleet.pem"));
        assert!(fleet_keys(None, None, &|_| None).unwrap().is_none());
    }
    #[test]
    fn an_entry_with_only_a_client_id_trusts_the_fleet_key() {
        let fleet_env = |name: &str| (name == ENV_FLEET_KEY).then(|| EC_PEM.to_owned());
        let fleet = fleet_keys(None, None, &fleet_env).unwrap().unwrap();
        let entries = tfplugin6::Value::Map(
            [(
                "https://acme.okta.com".to_owned(),
                tfplugin6::Value::object([("client_id", tfplugin6::Value::string("0oafleet"))]),
            )]
            .into_iter()
            .collect(),
        );
        let keys = fleet.clone();
        let fleet_app = move |client_id: &str| keys.service_app(client_id);
        let (apps, problems) = super::super::service_apps::org_service_apps(
            Some(&entries),
            Some(&fleet_app),
            &|_: &str| None,
        );
        assert!(problems.is_empty());
        let app = apps["https://acme.okta.com"].service_app();
        assert_eq!(app.client_id, "0oafleet");
        assert_eq!(app.key.key_id(), fleet.current.key_id());
        assert!(app.scopes.iter().any(|scope| scope == "okta.apps.manage"));
        // Without a fleet key the same entry has no key at all.
        let (apps, problems) =
            super::super::service_apps::org_service_apps(Some(&entries), None, &|_: &str| None);
        assert!(apps.is_empty());
        assert!(
            problems[0].1.contains("exactly one of private_key"),
            "{problems:?}"
        );
    }
}

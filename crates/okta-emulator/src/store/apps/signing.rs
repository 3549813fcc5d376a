//! An app's signing keys (`/api/v1/apps/{appId}/credentials/keys`): RSA 2048 key pairs with
//! X.509 certificates that Okta makes, one when the app is first asked for its keys and one per
//! `generate`, or copied from another app by `clone`; and certificate signing requests
//! (`…/credentials/csrs`) for keys whose certificate a CA is to sign. Only certificates and
//! requests are kept, never a private key.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::jose::{encode, sha256_base64url};
use crate::store::{ApiError, Audit, Org};
use crate::x509::{self, CsrSubject};

/// Keys and requests per app at most: a bound on one row's size.
const MAX_KEYS: usize = 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningKey {
    /// The RFC 7638 thumbprint of the public key, as Okta's `kid`s are.
    pub kid: String,
    /// The certificate, DER, base64url.
    pub certificate: String,
    pub created: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningRequest {
    /// The SHA-256 of the request, base64url (Okta's ids are 43 such characters).
    pub id: String,
    /// The request, DER, base64url.
    pub csr: String,
    pub created: i64,
}

fn internal(error: x509::X509Error) -> ApiError {
    tracing::error!(%error, "cannot make an app signing key");
    ApiError::Internal
}

/// A key for `certificate`: its `kid` is the thumbprint of the RSA key inside.
fn signing_key(certificate: Vec<u8>, now: i64, years: i64) -> Result<SigningKey, ApiError> {
    let (modulus, exponent) = x509::rsa_public_key(&certificate).ok_or(ApiError::Internal)?;
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        encode(&exponent),
        encode(&modulus)
    );
    Ok(SigningKey {
        kid: sha256_base64url(canonical.as_bytes()),
        certificate: encode(&certificate),
        created: now,
        expires_at: now + years * 365 * 24 * 3600 * 1000,
    })
}

impl Org {
    fn new_signing_key(&self, now: i64, years: i64) -> Result<SigningKey, ApiError> {
        let certificate =
            x509::signing_certificate(&self.subdomain, now / 1000, years).map_err(internal)?;
        signing_key(certificate, now, years)
    }

    /// The app's signing keys. An app that has none yet gets its first now, valid ten years
    /// (Okta's recorded default key of a new app expires ten years after it was made).
    pub fn app_signing_keys(&mut self, app_id: &str, now: i64) -> Result<&[SigningKey], ApiError> {
        if self.app(app_id)?.signing_keys.is_empty() {
            let key = self.new_signing_key(now, 10)?;
            self.service_apps
                .found_mut(app_id, "AppInstance")?
                .signing_keys
                .push(key);
        }
        Ok(&self.app(app_id)?.signing_keys)
    }

    pub fn app_signing_key(
        &mut self,
        app_id: &str,
        kid: &str,
        now: i64,
    ) -> Result<&SigningKey, ApiError> {
        self.app_signing_keys(app_id, now)?
            .iter()
            .find(|key| key.kid == kid)
            .ok_or_else(|| ApiError::not_found(kid, "AppInstanceKeyCredential"))
    }

    /// `generate?validityYears=N` (2 to 10, Okta's documented range).
    pub fn generate_signing_key(
        &mut self,
        audit: &Audit,
        app_id: &str,
        years: i64,
    ) -> Result<&SigningKey, ApiError> {
        if !(2..=10).contains(&years) {
            return Err(ApiError::invalid(
                "validityYears: a whole number from 2 to 10",
            ));
        }
        self.app_signing_keys(app_id, audit.now)?;
        if self.app(app_id)?.signing_keys.len() >= MAX_KEYS {
            return Err(ApiError::invalid(format!(
                "an app holds at most {MAX_KEYS} signing keys"
            )));
        }
        let key = self.new_signing_key(audit.now, years)?;
        let kid = key.kid.clone();
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        app.signing_keys.push(key);
        let target = app.target();
        self.emit(
            audit,
            "app.keys.generate",
            "Generate app signing key",
            vec![target],
            json!({ "kid": kid }),
        );
        self.app_signing_key(app_id, &kid, audit.now)
    }

    /// `clone?targetAid=`: the same key (and certificate) for another app.
    pub fn clone_signing_key(
        &mut self,
        audit: &Audit,
        app_id: &str,
        kid: &str,
        target_app_id: &str,
    ) -> Result<&SigningKey, ApiError> {
        let key = self.app_signing_key(app_id, kid, audit.now)?.clone();
        self.app(target_app_id)?;
        self.app_signing_keys(target_app_id, audit.now)?;
        let target = self.service_apps.found_mut(target_app_id, "AppInstance")?;
        if !target
            .signing_keys
            .iter()
            .any(|existing| existing.kid == key.kid)
        {
            if target.signing_keys.len() >= MAX_KEYS {
                return Err(ApiError::invalid(format!(
                    "an app holds at most {MAX_KEYS} signing keys"
                )));
            }
            target.signing_keys.push(key);
        }
        let app_target = target.target();
        self.emit(
            audit,
            "app.keys.clone",
            "Clone app signing key",
            vec![app_target],
            json!({ "kid": kid, "sourceAppId": app_id }),
        );
        self.app_signing_key(target_app_id, kid, audit.now)
    }

    pub fn signing_request(&self, app_id: &str, id: &str) -> Result<&SigningRequest, ApiError> {
        self.app(app_id)?
            .signing_requests
            .iter()
            .find(|request| request.id == id)
            .ok_or_else(|| ApiError::not_found(id, "CsrMetadata"))
    }

    pub fn create_signing_request(
        &mut self,
        audit: &Audit,
        app_id: &str,
        subject: &CsrSubject,
    ) -> Result<&SigningRequest, ApiError> {
        if self.app(app_id)?.signing_requests.len() >= MAX_KEYS {
            return Err(ApiError::invalid(format!(
                "an app holds at most {MAX_KEYS} certificate signing requests"
            )));
        }
        let csr = x509::signing_request(subject).map_err(internal)?;
        let request = SigningRequest {
            id: sha256_base64url(&csr),
            csr: encode(&csr),
            created: audit.now,
        };
        let id = request.id.clone();
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        app.signing_requests.push(request);
        let target = app.target();
        self.emit(
            audit,
            "app.app_instance.csr.generate",
            "Generate certificate signing request",
            vec![target],
            json!({}),
        );
        self.signing_request(app_id, &id)
    }

    pub fn revoke_signing_request(
        &mut self,
        audit: &Audit,
        app_id: &str,
        id: &str,
    ) -> Result<(), ApiError> {
        self.signing_request(app_id, id)?;
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        app.signing_requests.retain(|request| request.id != id);
        let target = app.target();
        self.emit(
            audit,
            "app.app_instance.csr.revoke",
            "Revoke certificate signing request",
            vec![target],
            json!({}),
        );
        Ok(())
    }
}

//! OAuth 2.0 service apps in the provider configuration: `org_credentials` (per customer org,
//! keyed by org URL) and `partner_service_app`, or the environment variables that match them.
//! Keys are read and checked when the configuration is read, so that a missing key file or a
//! malformed key fails `validate` and `plan`, never half-way through an apply. Nothing here is
//! ever written to state: provider configuration is not.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::okta::oauth::{ServiceApp, SigningKey};
use tfplugin6::Type;
use tfplugin6::Value;
use tfplugin6::schema::Attribute;

/// Attribute names of one service app, in `org_credentials` entries and `partner_service_app`.
pub mod attr {
    pub const CLIENT_ID: &str = "client_id";
    pub const PRIVATE_KEY: &str = "private_key";
    pub const PRIVATE_KEY_FILE: &str = "private_key_file";
    pub const PRIVATE_KEY_ENV: &str = "private_key_env";
    pub const KEY_ID: &str = "key_id";
    pub const SCOPES: &str = "scopes";
    pub const USE_DPOP: &str = "use_dpop";
}

/// `org_credentials` as a JSON object of the same shape.
pub const ENV_ORG_CREDENTIALS: &str = "OKTA_MSP_ORG_CREDENTIALS";
pub const ENV_PARTNER_CLIENT_ID: &str = "OKTA_MSP_PARTNER_CLIENT_ID";
pub const ENV_PARTNER_PRIVATE_KEY: &str = "OKTA_MSP_PARTNER_PRIVATE_KEY";
pub const ENV_PARTNER_PRIVATE_KEY_FILE: &str = "OKTA_MSP_PARTNER_PRIVATE_KEY_FILE";
pub const ENV_PARTNER_KEY_ID: &str = "OKTA_MSP_PARTNER_KEY_ID";
/// Space-separated, as OAuth writes scopes.
pub const ENV_PARTNER_SCOPES: &str = "OKTA_MSP_PARTNER_SCOPES";

/// What a customer org's app requests by default: every scope okta-msp's resources and data
/// sources call. Okta wants the exact scope of each endpoint (its API reference names one per
/// operation: `.read` for GET, `.manage` for writes), so both are listed.
pub const DEFAULT_ORG_SCOPES: &[&str] = &[
    "okta.users.read",
    "okta.users.manage",
    "okta.roles.read",
    "okta.roles.manage",
    "okta.groups.read",
    "okta.groups.manage",
    "okta.policies.read",
    "okta.policies.manage",
    "okta.networkZones.read",
    "okta.networkZones.manage",
    "okta.logs.read",
    "okta.orgs.read",
];

/// The partner org's app creates customer orgs (Okta's Org Creator API).
pub const DEFAULT_PARTNER_SCOPES: &[&str] = &["okta.orgs.manage"];

/// One service app, its key read and checked.
#[derive(Clone)]
pub struct ServiceAppConfig {
    pub client_id: String,
    key: Arc<SigningKey>,
    pub scopes: Vec<String>,
    pub use_dpop: bool,
}

impl std::fmt::Debug for ServiceAppConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ServiceAppConfig")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("use_dpop", &self.use_dpop)
            .finish_non_exhaustive()
    }
}

impl ServiceAppConfig {
    /// The configuration of an app the Okta client already describes (a fleet app).
    pub fn from_service_app(app: ServiceApp) -> ServiceAppConfig {
        ServiceAppConfig {
            client_id: app.client_id,
            key: app.key,
            scopes: app.scopes,
            use_dpop: app.use_dpop,
        }
    }

    /// The app as the Okta client takes it.
    pub fn service_app(&self) -> ServiceApp {
        ServiceApp {
            client_id: self.client_id.clone(),
            key: Arc::clone(&self.key),
            scopes: self.scopes.clone(),
            use_dpop: self.use_dpop,
        }
    }
}

/// The attributes of one service app, for `org_credentials` (a map of them) and
/// `partner_service_app`.
pub fn app_attributes(default_scopes: &[&str]) -> Vec<Attribute> {
    vec![
        Attribute::string(attr::CLIENT_ID).required().description("Client ID of the org's API Services app."),
        Attribute::string(attr::PRIVATE_KEY).optional().sensitive().description("The app's private key: PEM (PKCS#8, or PKCS#1 for RSA) or a private JWK, RSA 2048+ (RS256) or P-256 (ES256). Exactly one of `private_key`, `private_key_file` and `private_key_env`, or none in an `org_credentials` entry when the provider has a fleet key (`fleet_key_file`): then the org's app trusts the fleet key."),
        Attribute::string(attr::PRIVATE_KEY_FILE).optional().description("Path of a file holding the private key (PEM or JWK)."),
        Attribute::string(attr::PRIVATE_KEY_ENV).optional().description("Name of an environment variable holding the private key (PEM or JWK)."),
        Attribute::string(attr::KEY_ID).optional().description("The key's `kid` in the app's public keys; taken from a JWK's `kid` when unset."),
        Attribute::new(attr::SCOPES, Type::List(Box::new(Type::String))).optional().description(format!(
            "OAuth scopes to request; each must be granted to the app. Default: {}.",
            default_scopes.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        )),
        Attribute::bool(attr::USE_DPOP).optional().description("Send DPoP proofs from the first request. Unset, okta-msp finds out from Okta whether the app requires DPoP (one extra token request)."),
    ]
}

/// Where a key comes from, as configured.
enum KeySource {
    Inline(String),
    File(String),
    Env(String),
}

/// Reads one app from its configured fields (`field` returns a string field, `scopes` the
/// scope list, `use_dpop` the flag). The error says what is wrong without any key material.
fn read_app(
    field: &dyn Fn(&str) -> Option<String>,
    scopes: Option<Vec<String>>,
    use_dpop: Option<bool>,
    default_scopes: &[&str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ServiceAppConfig, String> {
    let client_id = field(attr::CLIENT_ID)
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| format!("{} is required", attr::CLIENT_ID))?;
    let sources: Vec<KeySource> = [
        field(attr::PRIVATE_KEY).map(KeySource::Inline),
        field(attr::PRIVATE_KEY_FILE).map(KeySource::File),
        field(attr::PRIVATE_KEY_ENV).map(KeySource::Env),
    ]
    .into_iter()
    .flatten()
    .collect();
    let source = match <[KeySource; 1]>::try_from(sources) {
        Ok([source]) => source,
        Err(_) => {
            return Err(format!(
                "set exactly one of {}, {} and {}",
                attr::PRIVATE_KEY,
                attr::PRIVATE_KEY_FILE,
                attr::PRIVATE_KEY_ENV
            ));
        }
    };
    let text = match source {
        KeySource::Inline(text) => text,
        KeySource::File(path) => std::fs::read_to_string(&path)
            .map_err(|error| format!("cannot read {} {path:?}: {error}", attr::PRIVATE_KEY_FILE))?,
        KeySource::Env(name) => env(&name).ok_or_else(|| {
            format!(
                "{} names the environment variable {name}, which is not set",
                attr::PRIVATE_KEY_ENV
            )
        })?,
    };
    let key = SigningKey::parse(&text, field(attr::KEY_ID)).map_err(|error| error.to_string())?;
    let scopes = scopes
        .filter(|scopes| !scopes.is_empty())
        .unwrap_or_else(|| default_scopes.iter().map(|s| (*s).to_owned()).collect());
    Ok(ServiceAppConfig {
        client_id,
        key: Arc::new(key),
        scopes,
        use_dpop: use_dpop.unwrap_or(false),
    })
}

/// One app from a configuration object (an `org_credentials` entry or `partner_service_app`).
pub fn app_from_value(
    value: &Value,
    default_scopes: &[&str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ServiceAppConfig, String> {
    let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    let scopes = match value.get(attr::SCOPES) {
        Some(Value::List(items)) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    };
    let use_dpop = value.get(attr::USE_DPOP).and_then(Value::as_bool);
    read_app(&field, scopes, use_dpop, default_scopes, env)
}

/// One app from a JSON object of the same shape (`OKTA_MSP_ORG_CREDENTIALS` entries).
pub fn app_from_json(
    json: &serde_json::Value,
    default_scopes: &[&str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ServiceAppConfig, String> {
    let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let scopes = json
        .get(attr::SCOPES)
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str())
                .map(str::to_owned)
                .collect()
        });
    let use_dpop = json.get(attr::USE_DPOP).and_then(|v| v.as_bool());
    read_app(&field, scopes, use_dpop, default_scopes, env)
}

/// The service apps of `org_credentials` (a map value), or else of `OKTA_MSP_ORG_CREDENTIALS`,
/// by org URL as written, and a (summary, detail) for each entry that cannot be used. Messages
/// never echo the variable's value: it may hold keys.
pub fn org_service_apps(
    value: Option<&Value>,
    // The app of a client id signed with the fleet key (`FleetKeys::service_app`).
    fleet: Option<&dyn Fn(&str) -> ServiceApp>,
    env: &dyn Fn(&str) -> Option<String>,
) -> (BTreeMap<String, ServiceAppConfig>, Vec<(String, String)>) {
    let mut apps = BTreeMap::new();
    let mut problems = Vec::new();
    let mut add = |url: &str, app: Result<ServiceAppConfig, String>, source: &str| match app {
        Ok(app) => {
            apps.insert(url.to_owned(), app);
        }
        Err(problem) => problems.push((
            format!("Unusable service app in {source}"),
            format!("The entry for {url}: {problem}."),
        )),
    };
    match value {
        Some(Value::Map(entries)) => {
            for (url, entry) in entries {
                let field = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
                let app = match fleet_trusted(&field, fleet) {
                    Some(app) => Ok(app),
                    None => app_from_value(entry, DEFAULT_ORG_SCOPES, env),
                };
                add(url, app, "org_credentials");
            }
        }
        _ => match env(ENV_ORG_CREDENTIALS).map(|json| {
            serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&json)
        }) {
            None => {}
            Some(Ok(entries)) => {
                for (url, entry) in entries {
                    let field =
                        |name: &str| entry.get(name).and_then(|v| v.as_str()).map(str::to_owned);
                    let app = match fleet_trusted(&field, fleet) {
                        Some(app) => Ok(app),
                        None => app_from_json(&entry, DEFAULT_ORG_SCOPES, env),
                    };
                    add(&url, app, ENV_ORG_CREDENTIALS);
                }
            }
            Some(Err(_)) => problems.push((
                format!("{ENV_ORG_CREDENTIALS} is not a JSON object"),
                format!(
                    "Set {ENV_ORG_CREDENTIALS} to a JSON object that maps org URLs to service apps, for example {{\"https://acme.okta.com\": {{\"client_id\": \"0oa...\", \"private_key_file\": \"/secure/acme.pem\"}}}}."
                ),
            )),
        },
    }
    (apps, problems)
}

/// An entry that gives a `client_id` and no key of its own, with a fleet key configured: the
/// org's app trusts the fleet key (issue 26). `None` otherwise (the entry is read as any other,
/// and one without a key is refused there).
fn fleet_trusted(
    field: &dyn Fn(&str) -> Option<String>,
    fleet: Option<&dyn Fn(&str) -> ServiceApp>,
) -> Option<ServiceAppConfig> {
    let fleet = fleet?;
    let has_key = [
        attr::PRIVATE_KEY,
        attr::PRIVATE_KEY_FILE,
        attr::PRIVATE_KEY_ENV,
    ]
    .iter()
    .any(|name| field(name).is_some());
    let client_id = field(attr::CLIENT_ID).filter(|id| !id.trim().is_empty())?;
    if has_key {
        return None;
    }
    Some(ServiceAppConfig::from_service_app(fleet(&client_id)))
}

/// The partner app from `OKTA_MSP_PARTNER_*`, when its client id is set there.
pub fn partner_app_from_env(
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Result<ServiceAppConfig, String>> {
    let client_id = env(ENV_PARTNER_CLIENT_ID)?;
    let values: BTreeMap<&str, Option<String>> = [
        (attr::CLIENT_ID, Some(client_id)),
        (attr::PRIVATE_KEY, env(ENV_PARTNER_PRIVATE_KEY)),
        (attr::PRIVATE_KEY_FILE, env(ENV_PARTNER_PRIVATE_KEY_FILE)),
        (attr::KEY_ID, env(ENV_PARTNER_KEY_ID)),
    ]
    .into_iter()
    .collect();
    let field = |name: &str| values.get(name).cloned().flatten();
    let scopes =
        env(ENV_PARTNER_SCOPES).map(|text| text.split_whitespace().map(str::to_owned).collect());
    Some(read_app(&field, scopes, None, DEFAULT_PARTNER_SCOPES, env))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC_KEY: &str = include_str!("../../tests/fixtures/oauth/ec-pkcs8.pem");
    const RSA_JWK: &str = include_str!("../../tests/fixtures/oauth/rsa-private.jwk.json");

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn object(fields: &[(&str, Value)]) -> Value {
        Value::object(fields.iter().map(|(name, value)| (*name, value.clone())))
    }

    #[test]
    fn a_key_comes_inline_from_a_file_or_from_the_environment() {
        let inline = object(&[
            (attr::CLIENT_ID, Value::string("0oa1")),
            (attr::PRIVATE_KEY, Value::string(EC_KEY)),
        ]);
        let app = app_from_value(&inline, DEFAULT_ORG_SCOPES, &no_env).unwrap();
        assert_eq!(app.client_id, "0oa1");
        assert_eq!(app.scopes.len(), DEFAULT_ORG_SCOPES.len());
        assert!(!app.use_dpop);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.json");
        std::fs::write(&path, RSA_JWK).unwrap();
        let from_file = object(&[
            (attr::CLIENT_ID, Value::string("0oa2")),
            (
                attr::PRIVATE_KEY_FILE,
                Value::string(path.to_str().unwrap()),
            ),
            (
                attr::SCOPES,
                Value::List(vec![Value::string("okta.users.read")]),
            ),
            (attr::USE_DPOP, Value::Bool(true)),
        ]);
        let app = app_from_value(&from_file, DEFAULT_ORG_SCOPES, &no_env).unwrap();
        assert_eq!(app.scopes, ["okta.users.read"]);
        assert!(app.use_dpop);
        assert_eq!(app.service_app().key.algorithm(), "RS256");

        let env = |name: &str| (name == "ACME_KEY").then(|| EC_KEY.to_owned());
        let from_env = serde_json::json!({"client_id": "0oa3", "private_key_env": "ACME_KEY"});
        assert!(app_from_json(&from_env, DEFAULT_ORG_SCOPES, &env).is_ok());
    }

    #[test]
    fn exactly_one_key_source_and_a_usable_key_are_required_without_echoing_keys() {
        let none = serde_json::json!({"client_id": "0oa1"});
        let error = app_from_json(&none, DEFAULT_ORG_SCOPES, &no_env).unwrap_err();
        assert!(error.contains("exactly one of private_key"), "{error}");
        let two =
            serde_json::json!({"client_id": "0oa1", "private_key": EC_KEY, "private_key_env": "X"});
        assert!(app_from_json(&two, DEFAULT_ORG_SCOPES, &no_env).is_err());
        let no_client = serde_json::json!({"private_key": EC_KEY});
        assert!(
            app_from_json(&no_client, DEFAULT_ORG_SCOPES, &no_env)
                .unwrap_err()
                .contains("client_id")
        );
        let missing_file =
            serde_json::json!({"client_id": "0oa1", "private_key_file": "/nonexistent/key.pem"});
        assert!(
            app_from_json(&missing_file, DEFAULT_ORG_SCOPES, &no_env)
                .unwrap_err()
                .contains("/nonexistent/key.pem")
        );
        let unset_env = serde_json::json!({"client_id": "0oa1", "private_key_env": "NOT_SET"});
        assert!(
            app_from_json(&unset_env, DEFAULT_ORG_SCOPES, &no_env)
                .unwrap_err()
                .contains("NOT_SET")
        );
        let broken = EC_KEY.replace('A', "B");
        let garbled = serde_json::json!({"client_id": "0oa1", "private_key": broken});
        let error = app_from_json(&garbled, DEFAULT_ORG_SCOPES, &no_env).unwrap_err();
        for line in EC_KEY.lines().filter(|line| !line.starts_with("-----")) {
            assert!(!error.contains(line), "{error}");
        }
        assert!(
            !format!(
                "{:?}",
                app_from_json(
                    &serde_json::json!({"client_id": "0oa1", "private_key": EC_KEY}),
                    DEFAULT_ORG_SCOPES,
                    &no_env
                )
                .unwrap()
            )
            .contains("BEGIN")
        );
    }

    #[test]
    fn the_partner_app_comes_from_its_environment_variables() {
        assert!(partner_app_from_env(&no_env).is_none());
        let env = |name: &str| match name {
            ENV_PARTNER_CLIENT_ID => Some("0oapartner".to_owned()),
            ENV_PARTNER_PRIVATE_KEY => Some(EC_KEY.to_owned()),
            ENV_PARTNER_SCOPES => Some("okta.orgs.manage okta.orgs.read".to_owned()),
            _ => None,
        };
        let app = partner_app_from_env(&env).unwrap().unwrap();
        assert_eq!(app.client_id, "0oapartner");
        assert_eq!(app.scopes, ["okta.orgs.manage", "okta.orgs.read"]);
    }
}

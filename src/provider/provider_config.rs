//! The provider block (SPEC section 5): where the partner org and customer org tokens come from,
//! and the provider-wide settings. Arguments fall back to environment variables.

use std::collections::BTreeMap;

use crate::rules::baseline::{
    BaselineSettings, DEFAULT_PASSWORD_MIN_LENGTH, LOCKOUT_ATTEMPTS, PASSWORD_MIN_LENGTH,
    SESSION_LIFETIME_MINUTES, SecuringBaseline,
};
use crate::secret::Secret;
use tfplugin6::schema::{Attribute, Schema};
use tfplugin6::{Type, Value};

use super::fleet_key::{ENV_FLEET_KEY, ENV_FLEET_NEXT_KEY, FleetKeys, fleet_keys};
use super::service_apps::{
    DEFAULT_ORG_SCOPES, DEFAULT_PARTNER_SCOPES, ENV_ORG_CREDENTIALS, ENV_PARTNER_CLIENT_ID,
    ServiceAppConfig, app_attributes, app_from_value, org_service_apps, partner_app_from_env,
};
use tfplugin6::schema::Nesting;

/// How long after it is published a System Log event may take to be listed, by default. Okta gives no
/// bound ("near real-time"); five minutes is far beyond the seconds usually seen, and its cost
/// is small: a refresh within five minutes of an account's last verification reads its roles
/// (one call) and the org's baseline (once per org) directly, as it would without the log.
pub const LOG_LAG_WINDOW: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The provider block's attribute names, once.
pub mod attr {
    pub const PARTNER_URL: &str = "partner_url";
    pub const PARTNER_TOKEN: &str = "partner_token";
    pub const ORG_TOKENS: &str = "org_tokens";
    pub const SERVICE_ACCOUNT_GROUP: &str = "service_account_group";
    pub const ALLOWED_NETWORK_CIDRS: &str = "allowed_network_cidrs";
    pub const PASSWORD_MIN_LENGTH: &str = "password_min_length";
    pub const LOCKOUT_ATTEMPTS: &str = "lockout_attempts";
    pub const SESSION_LIFETIME_MINUTES: &str = "session_lifetime_minutes";
    pub const MAX_RETRIES: &str = "max_retries";
    pub const REQUEST_TIMEOUT_SECONDS: &str = "request_timeout_seconds";
    pub const NEW_ORG_WAIT_SECONDS: &str = "new_org_wait_seconds";
    pub const LOG_LAG_WINDOW_SECONDS: &str = "log_lag_window_seconds";
    pub const ORG_CREDENTIALS: &str = "org_credentials";
    pub const PARTNER_SERVICE_APP: &str = "partner_service_app";
    pub const BASELINE_OWNER: &str = "baseline_owner";
    pub const FLEET_KEY_FILE: &str = "fleet_key_file";
    pub const FLEET_NEXT_KEY_FILE: &str = "fleet_next_key_file";
}

pub const ENV_BASELINE_OWNER: &str = "OKTA_MSP_BASELINE_OWNER";

pub const ENV_PARTNER_URL: &str = "OKTA_MSP_PARTNER_URL";
pub const ENV_PARTNER_TOKEN: &str = "OKTA_MSP_PARTNER_TOKEN";
pub const ENV_ORG_TOKENS: &str = "OKTA_MSP_ORG_TOKENS";

pub const DEFAULT_SERVICE_ACCOUNT_GROUP: &str = "MSP Service Accounts";
pub const DEFAULT_MAX_RETRIES: i64 = 5;
pub const DEFAULT_REQUEST_TIMEOUT_SECONDS: i64 = 30;
/// Okta: "Wait at least 30 seconds after a 201-Created response before you make API requests to
/// the new child org" (Org Creator API).
pub const DEFAULT_NEW_ORG_WAIT_SECONDS: i64 = 30;
pub const ENV_NEW_ORG_WAIT_SECONDS: &str = "OKTA_MSP_NEW_ORG_WAIT_SECONDS";
/// The longest `log_lag_window_seconds`: a day; beyond it the System Log would save nothing.
pub const MAX_LOG_LAG_WINDOW_SECONDS: i64 = 24 * 3600;

#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub partner_url: Option<String>,
    pub partner_token: Option<Secret>,
    /// Org URL (normalised, no trailing slash) to API token.
    pub org_tokens: BTreeMap<String, Secret>,
    /// Org URL (normalised) to the OAuth service app that reaches it.
    pub org_service_apps: BTreeMap<String, ServiceAppConfig>,
    /// The partner org's OAuth service app; used instead of `partner_token` when set.
    pub partner_service_app: Option<ServiceAppConfig>,
    /// The fleet key (and the next one during a rotation): what every org's service app
    /// registered by okta-msp trusts.
    pub fleet: Option<FleetKeys>,
    pub service_account_group: String,
    pub allowed_network_cidrs: Vec<String>,
    pub max_retries: u32,
    pub request_timeout_seconds: u64,
    /// How long after Okta created an org the provider waits before its first request to it.
    pub new_org_wait_seconds: u64,
    /// How late the System Log may list an event (see `role_freshness`).
    pub log_lag_window: std::time::Duration,
    /// The securing baseline (SPEC section 3), with the provider's settings applied.
    pub baseline: SecuringBaseline,
    /// This configuration's name as the owner of each org's baseline (`rules::baseline_owner`);
    /// empty for an unnamed configuration.
    pub baseline_owner: String,
    /// Where this configuration runs (`configuration_location`), which an unnamed
    /// configuration signs its finalizations with; set by `ConfigureProvider`.
    pub location: Option<String>,
}

/// One problem with the provider block, with the attribute it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub attribute: &'static str,
    pub summary: String,
    pub detail: String,
}

pub fn schema() -> Schema {
    Schema::new(
        0,
        "Manages the Okta service accounts of an MSP's customer orgs and refuses any change that would break them once they are set up. One provider block serves any number of customer orgs: every resource names its org by `org_url`.",
        vec![
            Attribute::string(attr::PARTNER_URL).optional().description(format!(
                "URL of the MSP's own (parent) Okta org, used by `okta_msp_org` to create customer orgs through Okta's Org Creator API. Falls back to `{ENV_PARTNER_URL}`."
            )),
            Attribute::string(attr::PARTNER_TOKEN).optional().sensitive().description(format!(
                "API token of the partner org. Falls back to `{ENV_PARTNER_TOKEN}`."
            )),
            Attribute::string(attr::BASELINE_OWNER).optional().description(format!(
                "A name for this configuration as the owner of the securing baseline of its orgs (for example the repository or workspace). The baseline is org-wide: when another configuration with another name has applied different settings to an org, this one's plan fails naming it instead of undoing them. Falls back to `{ENV_BASELINE_OWNER}`; unset, the configuration is unnamed: unnamed configurations count as one owner, but cannot tell each other apart, so one of them may change the settings only through the plans of accounts it already manages (which show the change), never through a new account's plan, which is refused instead. The name is also written beside the finalized mark of each account this configuration finalizes (the profile's `organization`), so that an account finalized by an apply that was killed before Terraform recorded it is taken as this configuration's own by the next apply (G20), while any other configuration is refused (G14); an unnamed configuration writes a digest of the directory and Terraform workspace it runs from instead, so it recognises such an account only when applied again from the same place. Give each configuration a name of its own: configurations that share a name count as one."
            )),
            Attribute::nested(attr::ORG_CREDENTIALS, Nesting::Map, app_attributes(DEFAULT_ORG_SCOPES))
                .optional()
                .sensitive()
                .description(format!(
                    "OAuth 2.0 service apps of customer orgs, keyed by org URL: the org is reached with `private_key_jwt` and scoped access tokens (and DPoP when the app requires it) instead of an API token. An org may be in `org_tokens` or here, not both. Falls back to `{ENV_ORG_CREDENTIALS}` (a JSON object of the same shape). See the guide \"Connect an org with a service app\"."
                )),
            Attribute::nested(attr::PARTNER_SERVICE_APP, Nesting::Single, app_attributes(DEFAULT_PARTNER_SCOPES))
                .optional()
                .sensitive()
                .description(format!(
                    "The partner org's OAuth 2.0 service app (granted `okta.orgs.manage`), used instead of `partner_token` to create orgs. Falls back to `{ENV_PARTNER_CLIENT_ID}` and the other `OKTA_MSP_PARTNER_*` variables (`_PRIVATE_KEY`, `_PRIVATE_KEY_FILE`, `_KEY_ID`, `_SCOPES`)."
                )),
            Attribute::string(attr::FLEET_KEY_FILE).optional().description(format!(
                "Path of the fleet key: one private key (RS256 with RSA 2048+, or ES256 with P-256; PEM or a private JWK) that every customer org's OAuth service app trusts. With it, `okta_msp_org` registers a service app in each org it creates (and in a token org moved over with `service_app = true`), and accounts reach the org through that app (`org_client_id`, or an `org_credentials` entry with only `client_id`): no API token is stored or needed. The app holds the key's public half with `kid` = its RFC 7638 thumbprint. Falls back to `{ENV_FLEET_KEY}`, which holds the key itself (for CI secrets). See the guide \"Connect an org with a service app\"."
            )),
            Attribute::string(attr::FLEET_NEXT_KEY_FILE).optional().description(format!(
                "Path of the next fleet key, during a rotation: every org's app managed by `okta_msp_org` is made to trust it beside `fleet_key_file`, which still signs. Rotate in three applies: set the next key; make it the fleet key and the old one the next key; remove the next key (each org's app then trusts only the new key). Falls back to `{ENV_FLEET_NEXT_KEY}` (the key itself)."
            )),
            Attribute::new(attr::ORG_TOKENS, Type::Map(Box::new(Type::String)))
                .optional()
                .sensitive()
                .description(format!(
                    "API tokens of existing customer orgs, keyed by org URL (for example `https://acme.okta.com`), used for import and by resources that set no `org_api_token`. Falls back to `{ENV_ORG_TOKENS}` (a JSON object)."
                )),
            Attribute::string(attr::SERVICE_ACCOUNT_GROUP).optional().description(format!(
                "Name of the group that holds every managed service account of an org, and that the securing policies target. Default `{DEFAULT_SERVICE_ACCOUNT_GROUP}`."
            )),
            Attribute::new(attr::ALLOWED_NETWORK_CIDRS, Type::List(Box::new(Type::String)))
                .optional()
                .description("When set, service accounts may sign in only from these networks (IPv4 or IPv6 CIDRs): the sign-on policy is limited to a network zone built from them."),
            Attribute::number(attr::PASSWORD_MIN_LENGTH).optional().description(format!(
                "Minimum password length of the service accounts' password policy, {} to {}. Default {}.",
                PASSWORD_MIN_LENGTH.start(),
                PASSWORD_MIN_LENGTH.end(),
                DEFAULT_PASSWORD_MIN_LENGTH
            )),
            Attribute::number(attr::LOCKOUT_ATTEMPTS).optional().description(format!(
                "Failed sign-ins before a service account is locked, {} to {}. Default {}.",
                LOCKOUT_ATTEMPTS.start(),
                LOCKOUT_ATTEMPTS.end(),
                SecuringBaseline::default().lockout_attempts
            )),
            Attribute::number(attr::SESSION_LIFETIME_MINUTES).optional().description(format!(
                "Longest session of a service account, in minutes, {} to {}. Default {}.",
                SESSION_LIFETIME_MINUTES.start(),
                SESSION_LIFETIME_MINUTES.end(),
                SecuringBaseline::default().session_lifetime_minutes
            )),
            Attribute::number(attr::MAX_RETRIES).optional().description(format!(
                "How often a request is retried after a 5xx answer, a timeout or a dropped connection (429s are always waited out). Default {DEFAULT_MAX_RETRIES}."
            )),
            Attribute::number(attr::REQUEST_TIMEOUT_SECONDS).optional().description(format!(
                "Timeout of one Okta API request, in seconds. Default {DEFAULT_REQUEST_TIMEOUT_SECONDS}."
            )),
            Attribute::number(attr::NEW_ORG_WAIT_SECONDS).optional().description(format!(
                "Seconds to wait after Okta creates an org (`okta_msp_org`) before the first request to it, 0 to 600: Okta asks for at least 30. Falls back to `{ENV_NEW_ORG_WAIT_SECONDS}`. Default {DEFAULT_NEW_ORG_WAIT_SECONDS}; 0 suits okta-emulator, whose orgs answer at once."
            )),
            Attribute::number(attr::LOG_LAG_WINDOW_SECONDS).optional().description(format!(
                "How long after it happens a change may take to appear in Okta's System Log, in seconds, 0 to {MAX_LOG_LAG_WINDOW_SECONDS}. A refresh reads an account's admin roles and the securing baseline directly when they were last verified within this window, and otherwise trusts the System Log to show any change since. Default {} (Okta calls the log \"near real-time\" and gives no bound).",
                LOG_LAG_WINDOW.as_secs()
            )),
        ],
    )
}

impl ProviderConfig {
    /// Reads the provider block, filling unset arguments from the environment through `env`.
    /// Unknown values (not yet known at validate time) are treated as unset.
    pub fn from_value(
        value: &Value,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ProviderConfig, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let string = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        let partner_url = string(attr::PARTNER_URL).or_else(|| env(ENV_PARTNER_URL));
        if let Some(url) = &partner_url
            && let Err(problem) = check_org_url(url)
        {
            errors.push(ConfigError {
                attribute: attr::PARTNER_URL,
                summary: "Invalid partner_url".into(),
                detail: problem,
            });
        }
        let partner_token = string(attr::PARTNER_TOKEN)
            .or_else(|| env(ENV_PARTNER_TOKEN))
            .map(Secret::new);
        let mut org_tokens = BTreeMap::new();
        match value.get(attr::ORG_TOKENS) {
            Some(Value::Map(entries)) => {
                for (url, token) in entries {
                    if let Some(token) = token.as_str() {
                        org_tokens.insert(normalize_org_url(url), Secret::new(token));
                    }
                }
            }
            _ => {
                if let Some(json) = env(ENV_ORG_TOKENS) {
                    match serde_json::from_str::<BTreeMap<String, String>>(&json) {
                        Ok(entries) => {
                            for (url, token) in entries {
                                org_tokens.insert(normalize_org_url(&url), Secret::new(token));
                            }
                        }
                        // The value holds tokens: never echo it back.
                        Err(_) => errors.push(ConfigError {
                            attribute: attr::ORG_TOKENS,
                            summary: format!("{ENV_ORG_TOKENS} is not a JSON object of strings"),
                            detail: format!(
                                "Set {ENV_ORG_TOKENS} to a JSON object that maps org URLs to API tokens, for example {{\"https://acme.okta.com\": \"...\"}}."
                            ),
                        }),
                    }
                }
            }
        }
        for url in org_tokens.keys() {
            if let Err(problem) = check_org_url(url) {
                errors.push(ConfigError {
                    attribute: attr::ORG_TOKENS,
                    summary: "Invalid org URL in org_tokens".into(),
                    detail: format!("{url:?}: {problem}"),
                });
            }
        }
        let service_account_group = string(attr::SERVICE_ACCOUNT_GROUP)
            .unwrap_or_else(|| DEFAULT_SERVICE_ACCOUNT_GROUP.into());
        if service_account_group.trim().is_empty() {
            errors.push(ConfigError {
                attribute: attr::SERVICE_ACCOUNT_GROUP,
                summary: "Empty service_account_group".into(),
                detail: format!(
                    "Name the group that holds the service accounts, or leave the argument out for the default {DEFAULT_SERVICE_ACCOUNT_GROUP:?}."
                ),
            });
        }
        let allowed_network_cidrs = match value.get(attr::ALLOWED_NETWORK_CIDRS) {
            Some(Value::List(items)) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let max_retries = match value.get(attr::MAX_RETRIES).and_then(Value::as_i64) {
            None => DEFAULT_MAX_RETRIES as u32,
            Some(n) if (0..=20).contains(&n) => n as u32,
            Some(n) => {
                errors.push(ConfigError {
                    attribute: attr::MAX_RETRIES,
                    summary: "max_retries out of range".into(),
                    detail: format!("max_retries must be between 0 and 20, got {n}."),
                });
                DEFAULT_MAX_RETRIES as u32
            }
        };
        let request_timeout_seconds = match value
            .get(attr::REQUEST_TIMEOUT_SECONDS)
            .and_then(Value::as_i64)
        {
            None => DEFAULT_REQUEST_TIMEOUT_SECONDS as u64,
            Some(n) if (1..=600).contains(&n) => n as u64,
            Some(n) => {
                errors.push(ConfigError {
                    attribute: attr::REQUEST_TIMEOUT_SECONDS,
                    summary: "request_timeout_seconds out of range".into(),
                    detail: format!("request_timeout_seconds must be between 1 and 600, got {n}."),
                });
                DEFAULT_REQUEST_TIMEOUT_SECONDS as u64
            }
        };
        let new_org_wait_seconds = match value
            .get(attr::NEW_ORG_WAIT_SECONDS)
            .and_then(Value::as_i64)
        {
            Some(n) => Some(n),
            None => match env(ENV_NEW_ORG_WAIT_SECONDS) {
                None => None,
                Some(text) => match text.trim().parse::<i64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        errors.push(ConfigError {
                            attribute: attr::NEW_ORG_WAIT_SECONDS,
                            summary: format!("{ENV_NEW_ORG_WAIT_SECONDS} is not a number"),
                            detail: format!(
                                "Set {ENV_NEW_ORG_WAIT_SECONDS} to a whole number of seconds from 0 to 600, got {:?}.",
                                text.chars().take(40).collect::<String>()
                            ),
                        });
                        None
                    }
                },
            },
        };
        let new_org_wait_seconds = match new_org_wait_seconds {
            None => DEFAULT_NEW_ORG_WAIT_SECONDS as u64,
            Some(n) if (0..=600).contains(&n) => n as u64,
            Some(n) => {
                errors.push(ConfigError {
                    attribute: attr::NEW_ORG_WAIT_SECONDS,
                    summary: "new_org_wait_seconds out of range".into(),
                    detail: format!("new_org_wait_seconds must be between 0 and 600, got {n}."),
                });
                DEFAULT_NEW_ORG_WAIT_SECONDS as u64
            }
        };
        let log_lag_window = match value
            .get(attr::LOG_LAG_WINDOW_SECONDS)
            .and_then(Value::as_i64)
        {
            None => LOG_LAG_WINDOW,
            Some(n) if (0..=MAX_LOG_LAG_WINDOW_SECONDS).contains(&n) => {
                std::time::Duration::from_secs(n as u64)
            }
            Some(n) => {
                errors.push(ConfigError {
                    attribute: attr::LOG_LAG_WINDOW_SECONDS,
                    summary: "log_lag_window_seconds out of range".into(),
                    detail: format!(
                        "log_lag_window_seconds must be between 0 and {MAX_LOG_LAG_WINDOW_SECONDS}, got {n}."
                    ),
                });
                LOG_LAG_WINDOW
            }
        };
        let settings = BaselineSettings {
            service_account_group: Some(service_account_group.clone()),
            password_min_length: value.get(attr::PASSWORD_MIN_LENGTH).and_then(Value::as_i64),
            lockout_attempts: value.get(attr::LOCKOUT_ATTEMPTS).and_then(Value::as_i64),
            session_lifetime_minutes: value
                .get(attr::SESSION_LIFETIME_MINUTES)
                .and_then(Value::as_i64),
            allowed_network_cidrs: Some(allowed_network_cidrs.clone()),
        };
        let baseline = settings.resolve().unwrap_or_else(|violations| {
            for violation in violations {
                let attribute = match violation.path.first().map(String::as_str) {
                    Some(attr::PASSWORD_MIN_LENGTH) => attr::PASSWORD_MIN_LENGTH,
                    Some(attr::LOCKOUT_ATTEMPTS) => attr::LOCKOUT_ATTEMPTS,
                    Some(attr::SESSION_LIFETIME_MINUTES) => attr::SESSION_LIFETIME_MINUTES,
                    Some(attr::ALLOWED_NETWORK_CIDRS) => attr::ALLOWED_NETWORK_CIDRS,
                    _ => attr::SERVICE_ACCOUNT_GROUP,
                };
                errors.push(ConfigError {
                    attribute,
                    summary: violation.summary,
                    detail: violation.detail,
                });
            }
            SecuringBaseline::default()
        });
        let fleet = match fleet_keys(
            string(attr::FLEET_KEY_FILE),
            string(attr::FLEET_NEXT_KEY_FILE),
            &env,
        ) {
            Ok(fleet) => fleet,
            Err(problem) => {
                errors.push(ConfigError {
                    attribute: attr::FLEET_KEY_FILE,
                    summary: "Unusable fleet key".into(),
                    detail: format!("{problem}."),
                });
                None
            }
        };
        let fleet_app = fleet.clone().map(|fleet| {
            Box::new(move |client_id: &str| fleet.service_app(client_id))
                as Box<dyn Fn(&str) -> crate::okta::oauth::ServiceApp>
        });
        let (org_service_apps, problems) =
            org_service_apps(value.get(attr::ORG_CREDENTIALS), fleet_app.as_deref(), &env);
        errors.extend(problems.into_iter().map(|(summary, detail)| ConfigError {
            attribute: attr::ORG_CREDENTIALS,
            summary,
            detail,
        }));
        for url in org_service_apps.keys() {
            if let Err(problem) = check_org_url(url) {
                errors.push(ConfigError {
                    attribute: attr::ORG_CREDENTIALS,
                    summary: "Invalid org URL in org_credentials".into(),
                    detail: format!("{url:?}: {problem}"),
                });
            }
            if org_tokens.contains_key(url) {
                errors.push(ConfigError {
                    attribute: attr::ORG_CREDENTIALS,
                    summary: "An org with both an API token and a service app".into(),
                    detail: format!(
                        "{url} is in both org_tokens and org_credentials; keep one, so that which credential reaches the org is never a guess."
                    ),
                });
            }
        }
        let partner_service_app = match value.get(attr::PARTNER_SERVICE_APP) {
            Some(app) if !app.is_null() => Some(app_from_value(app, DEFAULT_PARTNER_SCOPES, &env)),
            _ => partner_app_from_env(&env),
        };
        let partner_service_app = match partner_service_app {
            Some(Ok(app)) => Some(app),
            Some(Err(problem)) => {
                errors.push(ConfigError {
                    attribute: attr::PARTNER_SERVICE_APP,
                    summary: "Unusable partner service app".into(),
                    detail: format!("{problem}."),
                });
                None
            }
            None => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ProviderConfig {
            baseline,
            partner_url: partner_url.map(|url| normalize_org_url(&url)),
            partner_token,
            org_tokens,
            org_service_apps,
            partner_service_app,
            fleet,
            baseline_owner: string(attr::BASELINE_OWNER)
                .or_else(|| env(ENV_BASELINE_OWNER))
                .map(|owner| owner.trim().to_owned())
                .unwrap_or_default(),
            location: None,
            service_account_group,
            allowed_network_cidrs,
            max_retries,
            request_timeout_seconds,
            new_org_wait_seconds,
            log_lag_window,
        })
    }
}

/// Org URLs compare without a trailing slash.
pub fn normalize_org_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

/// An org URL is `https://host[:port][/path]`, or plain `http://` for a loopback host (the
/// emulator). Everything else would send a token in clear text or to nowhere.
pub fn check_org_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("{url:?} is not a URL: write it as https://your-org.okta.com"))?;
    let host_and_port = rest.split('/').next().unwrap_or_default();
    if host_and_port.is_empty() {
        return Err(format!(
            "{url:?} has no host: write it as https://your-org.okta.com"
        ));
    }
    if host_and_port.contains('@') {
        return Err(format!(
            "{url:?} carries credentials in the URL: pass tokens in their own arguments"
        ));
    }
    let host = if let Some(bracketed) = host_and_port.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host_and_port.split(':').next().unwrap_or_default()
    };
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback_host(host) => Ok(()),
        "http" => Err(format!(
            "{url:?} uses plain http, which is accepted only for loopback hosts (the emulator): use https"
        )),
        other => Err(format!("{url:?} has scheme {other:?}: use https")),
    }
}

pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_urls_must_be_https_except_on_loopback() {
        assert!(check_org_url("https://acme.okta.com").is_ok());
        assert!(check_org_url("http://127.0.0.1:8080/acme").is_ok());
        assert!(check_org_url("http://localhost:1/acme").is_ok());
        assert!(check_org_url("http://[::1]:1/acme").is_ok());
        assert!(check_org_url("http://acme.okta.com").is_err());
        assert!(check_org_url("acme.okta.com").is_err());
        assert!(check_org_url("ftp://acme.okta.com").is_err());
        assert!(check_org_url("https://user:pw@acme.okta.com").is_err());
        assert!(check_org_url("https://").is_err());
    }

    #[test]
    fn environment_fills_unset_arguments_and_bad_token_json_is_not_echoed() {
        let config = Value::null_object(&schema().value_type());
        let parsed = ProviderConfig::from_value(&config, |name| match name {
            ENV_PARTNER_URL => Some("https://partner.okta.com/".into()),
            ENV_ORG_TOKENS => Some(r#"{"https://a.okta.com/":"t1"}"#.into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            parsed.partner_url.as_deref(),
            Some("https://partner.okta.com")
        );
        assert_eq!(parsed.org_tokens["https://a.okta.com"].expose(), "t1");
        assert_eq!(parsed.service_account_group, DEFAULT_SERVICE_ACCOUNT_GROUP);

        let errors = ProviderConfig::from_value(&config, |name| {
            (name == ENV_ORG_TOKENS).then(|| "not-json-secret-token".to_owned())
        })
        .unwrap_err();
        assert_eq!(errors[0].attribute, "org_tokens");
        assert!(!format!("{errors:?}").contains("not-json-secret-token"));
    }

    #[test]
    fn the_new_org_wait_defaults_to_okta_s_30_seconds_and_is_bounded() {
        let config = Value::null_object(&schema().value_type());
        let parsed = |env_value: Option<&str>| {
            ProviderConfig::from_value(&config, |name| {
                (name == ENV_NEW_ORG_WAIT_SECONDS)
                    .then(|| env_value.map(str::to_owned))
                    .flatten()
            })
        };
        assert_eq!(parsed(None).unwrap().new_org_wait_seconds, 30);
        assert_eq!(parsed(Some("0")).unwrap().new_org_wait_seconds, 0);
        assert_eq!(parsed(Some(" 45 ")).unwrap().new_org_wait_seconds, 45);
        for bad in ["601", "-1", "soon"] {
            let errors = parsed(Some(bad)).unwrap_err();
            assert_eq!(errors[0].attribute, "new_org_wait_seconds", "{bad}");
        }
    }
}

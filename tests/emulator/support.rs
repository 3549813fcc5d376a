//! Drives the real `okta-emulator` binary over loopback HTTP, and compares bodies with fixtures.

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::emulator::Emulator as Process;

pub const PARTNER_TOKEN: &str = "00partnerTokenForConformanceTests0000000";
pub const ADMIN_TOKEN: &str = "emulator-admin-token-for-tests";

/// The conformance tests' view of a running emulator: the shared process
/// ([`crate::support::emulator::Emulator`], whose fields and process control it derefs to),
/// started with fixed tokens and visible logs, plus an async client and HTTP helpers.
pub struct Emulator {
    process: Process,
    pub client: reqwest::Client,
}

impl Deref for Emulator {
    type Target = Process;

    fn deref(&self) -> &Process {
        &self.process
    }
}

impl DerefMut for Emulator {
    fn deref_mut(&mut self) -> &mut Process {
        &mut self.process
    }
}

/// One answer, fully read.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The URL of the `Link` header with `rel="next"`.
    pub fn next_link(&self) -> Option<String> {
        self.headers.get_all("link").iter().find_map(|value| {
            let value = value.to_str().ok()?;
            if !value.ends_with("rel=\"next\"") {
                return None;
            }
            let start = value.find('<')? + 1;
            let end = value.find('>')?;
            Some(value[start..end].to_string())
        })
    }

    pub fn error_code(&self) -> &str {
        self.body["errorCode"].as_str().unwrap_or("")
    }
}

pub fn binary() -> &'static str {
    crate::support::emulator::emulator_binary()
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    /// Starts the binary with fixed tokens plus `extra` flags and waits for its JSON line.
    pub fn start_with(extra: &[&str]) -> Emulator {
        Emulator::start_configured(extra, |_| {})
    }

    /// As [`Emulator::start_with`], letting `configure` adjust the command first (limits, ...).
    pub fn start_configured(extra: &[&str], configure: impl FnOnce(&mut Command)) -> Emulator {
        let mut args = vec![
            "--partner-token",
            PARTNER_TOKEN,
            "--admin-token",
            ADMIN_TOKEN,
        ];
        args.extend(["--log-level", "warn"]);
        args.extend_from_slice(extra);
        let process = Process::start_configured(&args, |command| {
            // A failing conformance test shows the emulator's warnings.
            command.stderr(Stdio::inherit());
            configure(command);
        });
        let _ = rustls::crypto::ring::default_provider().install_default();
        Emulator {
            process,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
        }
    }

    /// Wraps an emulator started with flags of the test's own (a log level, stderr kept).
    pub fn attach(process: Process) -> Emulator {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Emulator {
            process,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        authorization: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self.client.request(method, url);
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("body is JSON: {}", String::from_utf8_lossy(&bytes)))
        };
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// An Okta API call with an SSWS token; panics on transport errors.
    pub async fn call(
        &self,
        method: Method,
        url: &str,
        token: &str,
        body: Option<Value>,
    ) -> Answer {
        self.send(method, url, Some(&format!("SSWS {token}")), body.as_ref())
            .await
            .unwrap_or_else(|error| panic!("{url}: {error}"))
    }

    pub async fn get(&self, url: &str, token: &str) -> Answer {
        self.call(Method::GET, url, token, None).await
    }

    pub async fn post(&self, url: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, url, token, Some(body)).await
    }

    /// A control API call with the admin token.
    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let url = format!("{}/_emulator{path}", self.url);
        self.send(
            method,
            &url,
            Some(&format!("Bearer {}", self.admin_token)),
            body.as_ref(),
        )
        .await
        .expect("control call")
    }

    /// Creates a child org through the Org Creator API; returns its URL and admin token.
    pub async fn create_org(&self, subdomain: &str) -> Org {
        let answer = self
            .post(
                &format!("{}/api/v1/orgs", self.partner_url),
                &self.partner_token,
                org_request(subdomain),
            )
            .await;
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        let url = format!("{}/{subdomain}", self.url);
        let admin_id = answer.body["_links"]["administrator"]["href"]
            .as_str()
            .and_then(|href| href.rsplit('/').next())
            .expect("administrator link")
            .to_string();
        Org {
            url,
            token: answer.body["token"].as_str().expect("token").to_string(),
            admin_id,
        }
    }

    pub async fn create_user(&self, org: &Org, login: &str, query: &str) -> Answer {
        self.post(
            &format!("{}/api/v1/users{query}", org.url),
            &org.token,
            user_request(login, Some(STRONG_PASSWORD)),
        )
        .await
    }
}

pub struct Org {
    pub url: String,
    pub token: String,
    pub admin_id: String,
}

pub const STRONG_PASSWORD: &str = "Vq7#pLm2!xRt9$kWz4&nHc";

pub fn org_request(subdomain: &str) -> Value {
    json!({
        "subdomain": subdomain,
        "name": format!("Customer {subdomain}"),
        "website": "https://customer.example.com",
        "edition": "SKU",
        "admin": {
            "profile": {
                "firstName": "MSP",
                "lastName": "Integration",
                "email": format!("msp-integration@{subdomain}.example.com"),
                "login": format!("msp-integration@{subdomain}.example.com"),
            },
            "credentials": { "password": { "value": STRONG_PASSWORD } }
        }
    })
}

pub fn user_request(login: &str, password: Option<&str>) -> Value {
    let mut body = json!({
        "profile": {
            "firstName": "Service",
            "lastName": "Account",
            "email": login,
            "login": login,
        }
    });
    if let Some(password) = password {
        body["credentials"] = json!({ "password": { "value": password } });
    }
    body
}

/// Compares `actual` with a fixture under `tests/fixtures/emulator/`. In the fixture,
/// `{{name}}` variables are replaced first; then these strings match loosely:
/// `"{{any}}"` anything, `"{{string}}"` any string, `"{{timestamp}}"` Okta's
/// `YYYY-MM-DDTHH:mm:ss.SSSZ`, `"{{id:PFX}}"` a 20-character id starting with PFX,
/// `"{{errorId}}"` an `oae...` error id. Objects must have exactly the fixture's keys.
pub fn assert_fixture(actual: &Value, fixture: &str, variables: &[(&str, &str)]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/emulator")
        .join(fixture);
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    for (name, value) in variables {
        text = text.replace(&format!("{{{{{name}}}}}"), value);
    }
    let expected: Value =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{fixture}: {error}"));
    if let Err(problem) = matches(&expected, actual, "$") {
        panic!(
            "{fixture} does not match at {problem}\nactual: {}",
            serde_json::to_string_pretty(actual).unwrap_or_default()
        );
    }
}

fn is_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 24
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && bytes[19] == b'.'
        && bytes[23] == b'Z'
}

fn matches(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match expected {
        Value::String(pattern) if pattern.starts_with("{{") && pattern.ends_with("}}") => {
            let inner = &pattern[2..pattern.len() - 2];
            let text = actual.as_str();
            let ok = match inner {
                "any" => true,
                "string" => text.is_some(),
                "timestamp" => text.is_some_and(is_timestamp),
                "errorId" => text.is_some_and(|t| t.starts_with("oae") && t.len() == 25),
                _ if inner.starts_with("id:") => text.is_some_and(|t| {
                    t.len() == 20
                        && t.starts_with(&inner[3..])
                        && t.chars().all(char::is_alphanumeric)
                }),
                _ => return Err(format!("{at}: unknown placeholder {pattern}")),
            };
            if ok {
                Ok(())
            } else {
                Err(format!("{at}: {actual} is not {pattern}"))
            }
        }
        Value::Object(expected_map) => {
            let actual_map = actual
                .as_object()
                .ok_or_else(|| format!("{at}: expected an object, got {actual}"))?;
            let mut expected_keys: Vec<&String> = expected_map.keys().collect();
            let mut actual_keys: Vec<&String> = actual_map.keys().collect();
            expected_keys.sort();
            actual_keys.sort();
            if expected_keys != actual_keys {
                return Err(format!(
                    "{at}: keys {actual_keys:?} != expected {expected_keys:?}"
                ));
            }
            for (key, value) in expected_map {
                matches(value, &actual_map[key], &format!("{at}.{key}"))?;
            }
            Ok(())
        }
        Value::Array(expected_items) => {
            let actual_items = actual
                .as_array()
                .ok_or_else(|| format!("{at}: expected an array, got {actual}"))?;
            if expected_items.len() != actual_items.len() {
                return Err(format!(
                    "{at}: {} items, expected {}",
                    actual_items.len(),
                    expected_items.len()
                ));
            }
            for (index, (e, a)) in expected_items.iter().zip(actual_items).enumerate() {
                matches(e, a, &format!("{at}[{index}]"))?;
            }
            Ok(())
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{at}: {actual} != expected {expected}")),
    }
}

/// Asserts an Okta error answer: status, code, and the envelope's exact shape via the fixture
/// `errors/{code}.json`.
pub fn assert_error(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert_eq!(answer.error_code(), code, "{:?}", answer.body);
    assert_eq!(answer.body["errorLink"], code);
    assert!(
        answer.body["errorId"]
            .as_str()
            .is_some_and(|id| id.starts_with("oae")),
        "{:?}",
        answer.body
    );
    assert!(answer.body["errorCauses"].is_array());
    assert_common_headers(answer);
}

/// The headers Okta puts on every answer.
pub fn assert_common_headers(answer: &Answer) {
    for name in [
        "x-okta-request-id",
        "date",
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
    ] {
        assert!(
            answer.header(name).is_some(),
            "missing {name}: {:?}",
            answer.headers
        );
    }
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let reset: u64 = answer
        .header("x-rate-limit-reset")
        .unwrap()
        .parse()
        .expect("epoch seconds");
    assert!(reset > 1_600_000_000);
}

//! The conformance corpus: facts about real Okta answers, derived from Okta's own public recordings
//! of real traffic (the okta/terraform-provider-okta acceptance-test cassettes and the
//! okta/okta-sdk-python integration cassettes), kept in `tests/fixtures/okta_facts/` in this
//! project's own format, and held against the real `okta-emulator` binary.
//!
//! Each family file is a sequence of exchanges replayed in order against a fresh emulator and a
//! seeded org: a request equivalent to the recorded ones (placeholders such as `{user}` name ids
//! saved from earlier answers), and the facts its answer must show: the status, which headers are
//! present or absent, the JSON fields with their types and, where every recording agrees, their
//! values, and the error code. A fact marked `"source": "spec"` comes from Okta's API reference
//! because no recording exists; it is checked the same way but not counted as recorded.
//!
//! Where a recording and the emulator disagreed, the emulator was changed (docs/emulator.md,
//! "Fidelity"); no fact here was bent to fit the emulator.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::support::emulator::Emulator;

const FAMILIES: &[&str] = &[
    "org",
    "orgs",
    "users",
    "lifecycle",
    "roles",
    "groups",
    "zones",
    "policies",
    "logs",
    "api_tokens",
    "rate_limits",
    "authorization_servers",
    "role_targets",
    "user_resets",
    "access_policies",
];

#[derive(Deserialize)]
struct Family {
    family: String,
    /// Flags for this family's emulator, after `--org` (e.g. a smaller rate-limit scale).
    #[serde(default)]
    emulator_args: Vec<String>,
    exchanges: Vec<Exchange>,
}

#[derive(Deserialize)]
struct Exchange {
    name: String,
    /// Where the facts come from; required, and checked to be non-empty.
    evidence: String,
    /// `recorded` (the default), `spec`, or `setup` (a step that prepares later ones; checked,
    /// not counted).
    #[serde(default = "recorded")]
    source: String,
    request: Request,
    /// Placeholder name -> dotted path in the answer whose value later requests use.
    #[serde(default)]
    save: BTreeMap<String, String>,
    expect: Expect,
}

fn recorded() -> String {
    "recorded".to_owned()
}

#[derive(Deserialize)]
struct Request {
    method: String,
    path: String,
    #[serde(default)]
    body: Option<Value>,
    /// `org` (the default: the seeded org's token), `partner` (the partner org), `none`.
    #[serde(default)]
    auth: Option<String>,
}

#[derive(Deserialize)]
struct Expect {
    status: u16,
    /// A header set of `header_sets.json` (`json`, `list`, `no_content`, `error`).
    #[serde(default)]
    headers: Option<String>,
    /// Dotted path -> spec, on the answer.
    #[serde(default)]
    body: BTreeMap<String, Value>,
    /// Dotted path -> spec, on every element of an array answer (which must not be empty).
    #[serde(default)]
    each: BTreeMap<String, Value>,
    /// Okta's `errorCode`.
    #[serde(default)]
    error: Option<String>,
    /// The answer has no body at all.
    #[serde(default)]
    empty: bool,
}

/// How many facts one exchange states.
fn fact_count(
    exchange: &Exchange,
    header_sets: &BTreeMap<String, BTreeMap<String, String>>,
) -> usize {
    let headers = exchange
        .expect
        .headers
        .as_ref()
        .map_or(0, |set| header_sets[set].len());
    1 + headers
        + exchange.expect.body.len()
        + exchange.expect.each.len()
        + usize::from(exchange.expect.error.is_some())
        + usize::from(exchange.expect.empty)
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/okta_facts")
}

fn load_family(name: &str) -> Family {
    let path = corpus_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let family: Family =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(family.family, name, "{}", path.display());
    family
}

fn header_sets() -> BTreeMap<String, BTreeMap<String, String>> {
    let path = corpus_dir().join("header_sets.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let sets: BTreeMap<String, Value> = serde_json::from_str(&text).unwrap();
    sets.into_iter()
        .filter(|(name, _)| !name.starts_with('_'))
        .map(|(name, set)| {
            let set = set
                .as_object()
                .expect("a header set is an object")
                .iter()
                .map(|(header, spec)| (header.clone(), spec.as_str().unwrap().to_owned()))
                .collect();
            (name, set)
        })
        .collect()
}

/// Replays one family against a fresh emulator and returns every violated fact.
fn replay(name: &str) -> (usize, Vec<String>) {
    let family = load_family(name);
    let header_sets = header_sets();
    let token = "00factsCorpusToken0000000000000000000000aa";
    let org = format!("acme:{token}");
    let mut args = vec!["--org", org.as_str()];
    args.extend(family.emulator_args.iter().map(String::as_str));
    let emulator = Emulator::start_with(&args);
    let org_url = format!("{}/acme", emulator.url);
    let client = Client::new();
    let mut saved: BTreeMap<String, String> = BTreeMap::new();
    let mut facts = 0;
    let mut violations = Vec::new();

    for exchange in &family.exchanges {
        facts += fact_count(exchange, &header_sets);
        let fill = |text: &str| fill_placeholders(text, &saved);
        let path = fill(&exchange.request.path);
        let body = exchange
            .request
            .body
            .as_ref()
            .map(|body| serde_json::from_str(&fill(&body.to_string())).unwrap());
        let (base, auth) = match exchange.request.auth.as_deref() {
            None | Some("org") => (org_url.as_str(), Some(format!("SSWS {token}"))),
            Some("partner") => (
                emulator.partner_url.as_str(),
                Some(format!("SSWS {}", emulator.partner_token)),
            ),
            Some("none") => (org_url.as_str(), None),
            Some(other) => panic!("{name}: unknown auth {other}"),
        };
        let answer = client.send(
            &exchange.request.method,
            &format!("{base}{path}"),
            auth.as_deref(),
            body.as_ref(),
        );
        let mut fail = |what: String| {
            violations.push(format!(
                "{name} / {} ({} {path}): {what}",
                exchange.name, exchange.request.method
            ))
        };
        let expect = &exchange.expect;
        if answer.status != expect.status {
            fail(format!(
                "status {} instead of {}; body {}",
                answer.status, expect.status, answer.text
            ));
            continue;
        }
        if let Some(set) = &expect.headers {
            for (header, spec) in &header_sets[set] {
                let value = answer
                    .headers
                    .get(header.as_str())
                    .map(|value| value.to_str().unwrap_or_default());
                match (spec.as_str(), value) {
                    ("present", Some(_)) | ("absent", None) => {}
                    (exact, Some(value)) if exact.strip_prefix('=') == Some(value) => {}
                    (prefix, Some(value))
                        if prefix.starts_with('^') && value.starts_with(&prefix[1..]) => {}
                    (spec, value) => {
                        fail(format!("header {header}: expected {spec}, got {value:?}"))
                    }
                }
            }
        }
        if expect.empty && !answer.text.is_empty() {
            fail(format!("expected no body, got {:?}", answer.text));
        }
        let json: Value = if answer.text.is_empty() {
            Value::Null
        } else {
            match serde_json::from_str(&answer.text) {
                Ok(json) => json,
                Err(error) => {
                    fail(format!("body is not JSON ({error}): {}", answer.text));
                    continue;
                }
            }
        };
        if let Some(code) = &expect.error
            && json["errorCode"] != code.as_str()
        {
            fail(format!("errorCode {} instead of {code}", json["errorCode"]));
        }
        for (path, spec) in &expect.body {
            // A value saved earlier may be part of a fact (`{"is": "{expires}"}`).
            let spec: Value = serde_json::from_str(&fill(&spec.to_string())).unwrap();
            if let Err(why) = check(&json, path, &spec) {
                fail(format!("{path}: {why}"));
            }
        }
        if !expect.each.is_empty() {
            match json.as_array() {
                Some(items) if !items.is_empty() => {
                    for (index, item) in items.iter().enumerate() {
                        for (path, spec) in &expect.each {
                            if let Err(why) = check(item, path, spec) {
                                fail(format!("[{index}].{path}: {why}"));
                            }
                        }
                    }
                }
                _ => fail(format!("expected a non-empty array, got {json}")),
            }
        }
        for (placeholder, path) in &exchange.save {
            match lookup(&json, path).and_then(|value| value.as_str().map(str::to_owned)) {
                Some(value) => {
                    saved.insert(placeholder.clone(), value);
                }
                None => fail(format!("nothing to save at {path} for {{{placeholder}}}")),
            }
        }
    }
    (facts, violations)
}

fn fill_placeholders(text: &str, saved: &BTreeMap<String, String>) -> String {
    let mut text = text.to_owned();
    for (name, value) in saved {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.')
        .try_fold(value, |value, segment| match value {
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?),
            Value::Object(map) => map.get(segment),
            _ => None,
        })
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// One fact about one field. A spec is a type name (`string`, `null|string`, …), `absent`,
/// `{"is": value}`, `{"ends_with": text}`, `{"starts_with": text}` or `{"min_items": n}`.
fn check(json: &Value, path: &str, spec: &Value) -> Result<(), String> {
    let found = lookup(json, path);
    match spec {
        Value::String(spec) if spec == "absent" => match found {
            None => Ok(()),
            Some(value) => Err(format!("expected no such field, found {value}")),
        },
        Value::String(types) => {
            let value = found.ok_or("missing")?;
            if types.split('|').any(|name| name == type_name(value)) {
                Ok(())
            } else {
                Err(format!("expected {types}, found {value}"))
            }
        }
        Value::Object(rule) => {
            let value = found.ok_or("missing")?;
            if let Some(expected) = rule.get("is") {
                return if value == expected {
                    Ok(())
                } else {
                    Err(format!("expected {expected}, found {value}"))
                };
            }
            if let Some(suffix) = rule.get("ends_with").and_then(Value::as_str) {
                return match value.as_str() {
                    Some(text) if text.ends_with(suffix) => Ok(()),
                    _ => Err(format!(
                        "expected a string ending in {suffix:?}, found {value}"
                    )),
                };
            }
            if let Some(prefix) = rule.get("starts_with").and_then(Value::as_str) {
                return match value.as_str() {
                    Some(text) if text.starts_with(prefix) => Ok(()),
                    _ => Err(format!(
                        "expected a string starting with {prefix:?}, found {value}"
                    )),
                };
            }
            if let Some(minimum) = rule.get("min_items").and_then(Value::as_u64) {
                return match value.as_array() {
                    Some(items) if items.len() as u64 >= minimum => Ok(()),
                    _ => Err(format!("expected at least {minimum} items, found {value}")),
                };
            }
            Err(format!("unknown rule {spec}"))
        }
        _ => Err(format!("unknown spec {spec}")),
    }
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

/// A plain HTTP client: no retries, no pagination, nothing of the provider's client.
struct Client {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Client {
    fn new() -> Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    fn send(&self, method: &str, url: &str, auth: Option<&str>, body: Option<&Value>) -> Answer {
        self.runtime.block_on(async {
            let mut request = self
                .http
                .request(method.parse().unwrap(), url)
                .header("Accept", "application/json");
            if let Some(auth) = auth {
                request = request.header("Authorization", auth);
            }
            if let Some(body) = body {
                request = request.json(body);
            } else if method == "POST" || method == "PUT" {
                request = request.header("Content-Length", "0");
            }
            let response = request.send().await.expect("the emulator answers");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let text = response.text().await.unwrap_or_default();
            Answer {
                status,
                headers,
                text,
            }
        })
    }
}

fn assert_family(name: &str) {
    let (facts, violations) = replay(name);
    assert!(
        violations.is_empty(),
        "{} of {facts} facts of {name} do not hold:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn okta_facts_org() {
    assert_family("org");
}

#[test]
fn okta_facts_orgs() {
    assert_family("orgs");
}

#[test]
fn okta_facts_users() {
    assert_family("users");
}

#[test]
fn okta_facts_lifecycle() {
    assert_family("lifecycle");
}

#[test]
fn okta_facts_roles() {
    assert_family("roles");
}

#[test]
fn okta_facts_groups() {
    assert_family("groups");
}

#[test]
fn okta_facts_zones() {
    assert_family("zones");
}

#[test]
fn okta_facts_policies() {
    assert_family("policies");
}

#[test]
fn okta_facts_logs() {
    assert_family("logs");
}

#[test]
fn okta_facts_api_tokens() {
    assert_family("api_tokens");
}

#[test]
fn okta_facts_rate_limits() {
    assert_family("rate_limits");
}

#[test]
fn okta_facts_authorization_servers() {
    assert_family("authorization_servers");
}

#[test]
fn okta_facts_role_targets() {
    assert_family("role_targets");
}

#[test]
fn okta_facts_user_resets() {
    assert_family("user_resets");
}

#[test]
fn okta_facts_access_policies() {
    assert_family("access_policies");
}

/// The counts docs/emulator.md states are the corpus's, and every exchange names its evidence.
#[test]
fn okta_facts_counts_match_the_docs() {
    let header_sets = header_sets();
    let mut recorded = 0;
    let mut spec_only = 0;
    let mut endpoints = std::collections::BTreeSet::new();
    for name in FAMILIES {
        let family = load_family(name);
        for exchange in &family.exchanges {
            assert!(
                !exchange.evidence.trim().is_empty(),
                "{name} / {}: no evidence",
                exchange.name
            );
            let count = fact_count(exchange, &header_sets);
            match exchange.source.as_str() {
                "recorded" => recorded += count,
                "spec" => spec_only += count,
                // A step that only prepares the next ones (its facts are another exchange's).
                "setup" => {}
                other => panic!("{name} / {}: unknown source {other}", exchange.name),
            }
            endpoints.insert(endpoint_template(
                &exchange.request.method,
                &exchange.request.path,
            ));
        }
    }
    let files = std::fs::read_dir(corpus_dir())
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|file| file != "header_sets.json")
        .count();
    assert_eq!(files, FAMILIES.len(), "every family file has its test");

    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/emulator.md"))
            .unwrap();
    let stated = format!(
        "{recorded} recorded facts and {spec_only} facts from the API reference, on {} endpoints",
        endpoints.len()
    );
    assert!(
        docs.contains(&stated),
        "docs/emulator.md must say \"{stated}\"; endpoints: {endpoints:#?}"
    );
}

/// `GET /api/v1/users/{user}/roles?x=1` -> `GET /api/v1/users/{}/roles`: every segment that is
/// not a word of the API (an id, a login, a placeholder) becomes `{}`.
fn endpoint_template(method: &str, path: &str) -> String {
    const WORDS: &[&str] = &[
        "",
        "api",
        "v1",
        "org",
        "orgs",
        "users",
        "groups",
        "roles",
        "zones",
        "policies",
        "rules",
        "api-tokens",
        "logs",
        "lifecycle",
        "activate",
        "deactivate",
        "reactivate",
        "suspend",
        "unsuspend",
        "unlock",
        "reset_password",
        "expire_password",
        "authorizationServers",
        "credentials",
        "keys",
        "keyRotate",
        "scopes",
        "claims",
        "targets",
        "expire_password_with_temp_password",
        "reset_factors",
        "sessions",
        "grants",
        "appLinks",
        "clone",
        "mappings",
        "simulate",
        "change_password",
        "change_recovery_question",
        "forgot_password_recovery_question",
        "clients",
        "idps",
        "contacts",
        "preferences",
        "hideEndUserFooter",
        "showEndUserFooter",
        "privacy",
        "oktaCommunication",
        "optIn",
        "optOut",
        "oktaSupport",
        "grant",
        "extend",
        "revoke",
    ];
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path
        .split('/')
        .map(|segment| {
            if WORDS.contains(&segment) {
                segment
            } else {
                "{}"
            }
        })
        .collect();
    format!("{method} {}", segments.join("/"))
}

/// The corpus keeps facts, not recordings: no real ids, addresses or tokens.
#[test]
fn okta_facts_hold_no_real_identifiers() {
    let id = |word: &str| {
        // Okta ids: a three-character prefix and 17 more alphanumerics (00u…, 00g…, nzo…, rst…).
        word.len() == 20
            && word.chars().all(|c| c.is_ascii_alphanumeric())
            && word.chars().any(|c| c.is_ascii_digit())
            && word.chars().any(|c| c.is_ascii_uppercase())
    };
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for word in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '@' && c != '.') {
            assert!(
                !id(word),
                "{}: looks like a real Okta id: {word}",
                path.display()
            );
            if let Some((_, domain)) = word.split_once('@') {
                assert!(
                    domain.ends_with(".example"),
                    "{}: addresses must be under .example: {word}",
                    path.display()
                );
            }
        }
        assert!(
            !text.contains("SSWS "),
            "{}: no tokens in the corpus",
            path.display()
        );
    }
}

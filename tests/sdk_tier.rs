//! The SDK tier: Okta's official Python SDK (`okta` 3.4.6, installed into `.venv-sdk/` by `make
//! test`) drives the real `okta-emulator` binary over loopback. The emulator is only as useful as
//! it is faithful, and a client written by another team is the strongest check of that: every
//! answer must pass the SDK's own models, pagination and error handling, unpatched.
//!
//! `tests/sdk/drive.py` runs the scenarios and prints one JSON line per check; this test starts the
//! emulator, runs the script, and holds it to three things: every scenario ran to its end, every
//! check passed, and the emulator's own request statistics show each covered endpoint was really
//! called.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::emulator::Emulator;

/// The SDK version the tier is written against (tests/sdk/requirements.txt pins it).
const SDK_VERSION: &str = "3.4.6";

/// The scenarios of drive.py, in the order they run (the last revokes the token).
const SCENARIOS: &[&str] = &[
    "users",
    "lifecycle",
    "roles",
    "groups",
    "zones",
    "policies",
    "logs",
    "org",
    "api_tokens",
    "api_token_revoke",
];

/// Each endpoint the tier claims to cover, as the emulator's statistics name it.
const COVERED: &[(&str, &str)] = &[
    ("GET", "/api/v1/org"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/{userId}"),
    ("POST", "/api/v1/users/{userId}"),
    ("PUT", "/api/v1/users/{userId}"),
    ("DELETE", "/api/v1/users/{userId}"),
    ("GET", "/api/v1/users/{userId}/groups"),
    ("POST", "/api/v1/users/{userId}/lifecycle/activate"),
    ("POST", "/api/v1/users/{userId}/lifecycle/reactivate"),
    ("POST", "/api/v1/users/{userId}/lifecycle/deactivate"),
    ("POST", "/api/v1/users/{userId}/lifecycle/suspend"),
    ("POST", "/api/v1/users/{userId}/lifecycle/unsuspend"),
    ("POST", "/api/v1/users/{userId}/lifecycle/unlock"),
    ("GET", "/api/v1/users/{userId}/roles"),
    ("POST", "/api/v1/users/{userId}/roles"),
    ("GET", "/api/v1/users/{userId}/roles/{roleAssignmentId}"),
    ("DELETE", "/api/v1/users/{userId}/roles/{roleAssignmentId}"),
    ("GET", "/api/v1/groups"),
    ("POST", "/api/v1/groups"),
    ("GET", "/api/v1/groups/{groupId}"),
    ("PUT", "/api/v1/groups/{groupId}"),
    ("DELETE", "/api/v1/groups/{groupId}"),
    ("GET", "/api/v1/groups/{groupId}/users"),
    ("PUT", "/api/v1/groups/{groupId}/users/{userId}"),
    ("DELETE", "/api/v1/groups/{groupId}/users/{userId}"),
    ("GET", "/api/v1/zones"),
    ("POST", "/api/v1/zones"),
    ("GET", "/api/v1/zones/{zoneId}"),
    ("PUT", "/api/v1/zones/{zoneId}"),
    ("DELETE", "/api/v1/zones/{zoneId}"),
    ("POST", "/api/v1/zones/{zoneId}/lifecycle/activate"),
    ("POST", "/api/v1/zones/{zoneId}/lifecycle/deactivate"),
    ("GET", "/api/v1/policies"),
    ("POST", "/api/v1/policies"),
    ("GET", "/api/v1/policies/{policyId}"),
    ("PUT", "/api/v1/policies/{policyId}"),
    ("DELETE", "/api/v1/policies/{policyId}"),
    ("POST", "/api/v1/policies/{policyId}/lifecycle/activate"),
    ("POST", "/api/v1/policies/{policyId}/lifecycle/deactivate"),
    ("GET", "/api/v1/policies/{policyId}/rules"),
    ("POST", "/api/v1/policies/{policyId}/rules"),
    ("GET", "/api/v1/policies/{policyId}/rules/{ruleId}"),
    ("PUT", "/api/v1/policies/{policyId}/rules/{ruleId}"),
    ("DELETE", "/api/v1/policies/{policyId}/rules/{ruleId}"),
    (
        "POST",
        "/api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/activate",
    ),
    (
        "POST",
        "/api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/deactivate",
    ),
    ("GET", "/api/v1/api-tokens"),
    ("GET", "/api/v1/api-tokens/{apiTokenId}"),
    ("DELETE", "/api/v1/api-tokens/{apiTokenId}"),
    ("GET", "/api/v1/logs"),
];

/// The whole run is bounded: a hung SDK call must fail the test, not stall the suite.
const DEADLINE: Duration = Duration::from_secs(240);

#[test]
fn official_python_sdk_drives_the_emulator_unpatched() {
    let Some(python) = sdk_python() else {
        return;
    };
    let token = fresh_token();
    // The driver reads its own writes back through `search` and the System Log at once, as
    // the SDK's recorded tests do: instant consistency.
    let org = format!("acme:{token}");
    let emulator =
        Emulator::start_with(&["--org", &org, "--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let org_url = format!("{}/acme", emulator.url);

    let started = Instant::now();
    let run = run_driver(&python, &org_url, &token);
    eprintln!("SDK tier ran in {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        !run.stdout.contains(&token) && !run.stderr.contains(&token),
        "the driver printed the API token"
    );
    let report = Report::parse(&run.stdout);
    assert_eq!(
        report.sdk_version.as_deref(),
        Some(SDK_VERSION),
        "the venv must hold okta {SDK_VERSION} (make sdk-venv); stderr:\n{}",
        run.stderr
    );

    let mut problems = Vec::new();
    for scenario in SCENARIOS {
        let checks = report.checks.get(*scenario).map_or(0, Vec::len);
        if !report.done.contains(*scenario) {
            problems.push(format!("{scenario}: did not finish"));
        }
        // Every scenario makes at least three checks; fewer means it stopped early.
        if checks < 3 {
            problems.push(format!("{scenario}: only {checks} checks ran"));
        }
    }
    for (scenario, checks) in &report.checks {
        for check in checks.iter().filter(|check| !check.ok) {
            problems.push(format!("{scenario}: {}: {}", check.name, check.detail));
        }
    }
    assert!(
        problems.is_empty() && run.success,
        "the official SDK found {} problem(s) (exit success: {}):\n{}\nstderr:\n{}",
        problems.len(),
        run.success,
        problems.join("\n"),
        run.stderr
    );

    let called = requested_routes(&emulator);
    let missing: Vec<String> = COVERED
        .iter()
        .filter(|(method, route)| !called.contains(&(method.to_string(), route.to_string())))
        .map(|(method, route)| format!("{method} {route}"))
        .collect();
    assert!(
        missing.is_empty(),
        "the SDK never called: {missing:?}\ncalled: {called:?}"
    );
    let total: usize = report.checks.values().map(Vec::len).sum();
    eprintln!(
        "SDK tier: {total} checks in {} scenarios, {} endpoints",
        SCENARIOS.len(),
        COVERED.len()
    );
}

#[test]
fn sdk_tier_without_a_venv_skips_locally_and_fails_under_ci() {
    let present = Some(PathBuf::from("/venv/bin/python"));
    assert_eq!(decide(present.clone(), false), Ok(present.clone()));
    assert_eq!(decide(present.clone(), true), Ok(present));
    assert_eq!(decide(None, false), Ok(None));
    let refusal = decide(None, true).unwrap_err();
    assert!(refusal.contains("make sdk-venv"), "{refusal}");
}

/// The venv's interpreter: `OKTA_SDK_PYTHON`, else `.venv-sdk/bin/python` in the work tree.
/// Missing, it skips the tier, except under CI (`CI=true`), where it is a failure.
fn sdk_python() -> Option<PathBuf> {
    let candidate = std::env::var_os("OKTA_SDK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-sdk/bin/python"));
    let found = candidate.is_file().then_some(candidate);
    match decide(found, std::env::var("CI").as_deref() == Ok("true")) {
        Ok(Some(python)) => Some(python),
        Ok(None) => {
            eprintln!("SKIPPED: no SDK venv (run `make sdk-venv`)");
            None
        }
        Err(refusal) => panic!("{refusal}"),
    }
}

fn decide(found: Option<PathBuf>, ci: bool) -> Result<Option<PathBuf>, String> {
    match (found, ci) {
        (None, true) => Err(
            "the SDK tier's venv is missing and CI=true requires it: run `make sdk-venv`".into(),
        ),
        (found, _) => Ok(found),
    }
}

/// A token nobody else uses, shaped like Okta's (42 characters from `00`).
fn fresh_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mut token = format!("00sdk{nanos:x}{:x}", std::process::id());
    while token.len() < 42 {
        token.push('x');
    }
    token.truncate(42);
    token
}

struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

fn run_driver(python: &Path, org_url: &str, token: &str) -> Run {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/drive.py");
    let mut child = Command::new(python)
        .arg(&script)
        .args(SCENARIOS)
        // The SDK also reads OKTA_CLIENT_* variables and ~/.okta/okta.yaml; a clean environment
        // and HOME keep a developer's own configuration out of the run.
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("OKTA_SDK_TIER_ORG_URL", org_url)
        .env("OKTA_SDK_TIER_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the SDK driver");
    let finished = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let finished = Arc::clone(&finished);
        let pid = child.id() as i32;
        std::thread::spawn(move || {
            let deadline = Instant::now() + DEADLINE;
            while Instant::now() < deadline {
                if finished.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            // SAFETY: kill(2) on the driver's own pid; at worst it already exited.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        })
    };
    let mut stderr_pipe = child.stderr.take().unwrap();
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let status = child.wait().expect("driver exits");
    finished.store(true, Ordering::SeqCst);
    let _ = watchdog.join();
    Run {
        success: status.success(),
        stdout,
        stderr: stderr_reader.join().unwrap_or_default(),
    }
}

struct Check {
    name: String,
    ok: bool,
    detail: String,
}

#[derive(Default)]
struct Report {
    sdk_version: Option<String>,
    checks: BTreeMap<String, Vec<Check>>,
    done: BTreeSet<String>,
}

impl Report {
    fn parse(stdout: &str) -> Report {
        let mut report = Report::default();
        for line in stdout.lines().filter(|line| !line.trim().is_empty()) {
            let value: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("driver line is not JSON ({error}): {line}"));
            if let Some(version) = value["sdk_version"].as_str() {
                report.sdk_version = Some(version.to_owned());
                continue;
            }
            let scenario = value["scenario"].as_str().expect("scenario").to_owned();
            if value["done"] == true {
                report.done.insert(scenario);
                continue;
            }
            report.checks.entry(scenario).or_default().push(Check {
                name: value["check"].as_str().unwrap_or_default().to_owned(),
                ok: value["ok"] == true,
                detail: value["detail"].as_str().unwrap_or_default().to_owned(),
            });
        }
        report
    }
}

/// (method, route template) of every request the emulator served for the org.
fn requested_routes(emulator: &Emulator) -> BTreeSet<(String, String)> {
    let (status, stats) = emulator.control("GET", "/stats", None);
    assert_eq!(status, 200, "stats: {stats}");
    stats["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|entry| entry["org"] == "acme")
        .map(|entry| {
            (
                entry["method"].as_str().unwrap_or_default().to_owned(),
                entry["route"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

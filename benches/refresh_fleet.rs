//! `make bench`: refresh at fleet scale (issue 18). 200 orgs x 5 finalized service accounts
//! (AD agent, RADIUS, Deep Link, two custom), applied once; then, once every verification is
//! older than the log lag window (`log_lag_window_seconds = 2`, the emulator's System Log 200 ms
//! late):
//!
//! 1. `terraform plan -refresh-only` of the unchanged fleet: wall time, API calls in all and per
//!    org (target after issue 18: at most 3 per unchanged org);
//! 2. one change through the Okta API in 1 org of every 10 (a role removed, an e-mail edited, an
//!    account suspended, an account removed from the service account group, the password
//!    policy weakened, in turn), and the same plan again: calls per changed and per unchanged
//!    org, and that the plan reports exactly the changed orgs;
//! 3. beside each, a `terraform plan -refresh-only` of 1000 `terraform_data` holding the same
//!    values as the accounts' state (Terraform's floor for refreshing that much state), in paired
//!    rounds (each round plans ours and the floor back to back), and the median of the per-round
//!    ratios.
//!
//! `REFRESH_FLEET_ORGS=20` runs a smaller fleet (a quick check), `REFRESH_FLEET_ROUNDS` sets the
//! rounds (default 3). `cargo bench --bench refresh_fleet` measures the release build;
//! `cargo test --bench refresh_fleet` runs the same `main` on the debug build (the call counts
//! do not depend on the build). The emulator runs with rate limiting off, since only calls are
//! counted.

mod common;
#[path = "common/emulator.rs"]
mod emulator;

use emulator::{Emulator, start_emulator};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const DEFAULT_ORGS: usize = 200;
const DEFAULT_ROUNDS: usize = 3;
/// One org in this many is changed before the second measurement.
const CHANGE_EVERY: usize = 10;
const WINDOW_SECONDS: u64 = 2;
const LOG_LAG_MS: u64 = 200;
const GROUP: &str = "MSP Service Accounts";

/// The accounts of every org: resource name, kind, local part of the login, extra arguments.
const ACCOUNTS: [(&str, &str, &str, &str); 5] = [
    ("ad_agent", "ad_agent", "oktaadagent", ""),
    ("radius", "radius", "oktaradius", ""),
    ("deep_link", "deep_link", "svc-deep-link", ""),
    (
        "reports",
        "custom",
        "svc-reports",
        "admin_roles = [\"READ_ONLY_ADMIN\"]",
    ),
    (
        "audit",
        "custom",
        "svc-audit",
        "admin_roles = [\"READ_ONLY_ADMIN\"]",
    ),
];

/// The change made to a changed org, in turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    RoleRemoved,
    EmailEdited,
    Suspended,
    RemovedFromGroup,
    PasswordPolicyWeakened,
}

const CHANGES: [Change; 5] = [
    Change::RoleRemoved,
    Change::EmailEdited,
    Change::Suspended,
    Change::RemovedFromGroup,
    Change::PasswordPolicyWeakened,
];

fn main() {
    let orgs = env_number("REFRESH_FLEET_ORGS", DEFAULT_ORGS);
    let rounds = env_number("REFRESH_FLEET_ROUNDS", DEFAULT_ROUNDS);
    let accounts = orgs * ACCOUNTS.len();
    let scratch = tempfile::tempdir().unwrap();
    let cli_config = common::install_mirror(
        scratch.path(),
        env!("CARGO_BIN_EXE_terraform-provider-okta-msp"),
    );
    let mut args: Vec<String> = (0..orgs)
        .flat_map(|i| ["--org".to_owned(), format!("o{i}:token-o{i}")])
        .collect();
    args.extend(
        [
            "--rate-limit-scale",
            "0",
            "--search-lag-ms",
            "0",
            "--log-lag-ms",
            &LOG_LAG_MS.to_string(),
        ]
        .map(str::to_owned),
    );
    let emulator = start_emulator(&args);
    let http = Http::new();

    let ours = scratch.path().join("ours");
    std::fs::create_dir_all(&ours).unwrap();
    std::fs::write(ours.join("main.tf"), fleet_config(&emulator, orgs)).unwrap();
    terraform(&ours, &cli_config, &["init", "-input=false"]);
    let started = Instant::now();
    terraform(
        &ours,
        &cli_config,
        &["apply", "-auto-approve", "-input=false"],
    );
    println!(
        "setup: {accounts} accounts in {orgs} orgs applied in {:.1} s (not measured)",
        started.elapsed().as_secs_f64()
    );

    // The floor: the same values as the accounts' state, in `terraform_data`.
    let state = show_json(&ours, &cli_config, &[]);
    let floor = scratch.path().join("floor");
    std::fs::create_dir_all(&floor).unwrap();
    std::fs::write(floor.join("main.tf.json"), floor_config(&state).to_string()).unwrap();
    terraform(&floor, &cli_config, &["init", "-input=false"]);
    terraform(
        &floor,
        &cli_config,
        &["apply", "-auto-approve", "-input=false"],
    );

    // Every verification is now older than the window.
    // The window runs from the end of each apply's own writes, dated up to a second late
    // (`Date` is whole seconds).
    std::thread::sleep(Duration::from_millis(WINDOW_SECONDS * 1000 + 1500));
    let unchanged = measure(&emulator, &ours, &floor, &cli_config, rounds);
    let reported = reported_orgs(&ours, &cli_config);
    assert!(
        reported.is_empty(),
        "the unchanged fleet reads as drifted in {reported:?}"
    );

    // One change in 1 org of every 10, through the Okta API as an admin would.
    let mut changed: BTreeMap<String, Change> = BTreeMap::new();
    for (n, i) in (0..orgs).step_by(CHANGE_EVERY).enumerate() {
        let change = CHANGES[n % CHANGES.len()];
        let org = format!("o{i}");
        let api = OrgApi {
            http: &http,
            base: format!("{}/{org}", emulator.url),
            token: format!("token-{org}"),
        };
        let newest = api.newest_listed_event();
        make(&api, &org, change);
        // The refresh comes after the System Log lists the change.
        while api.newest_listed_event() == newest {
            std::thread::sleep(Duration::from_millis(50));
        }
        changed.insert(org, change);
    }
    let after_changes = measure(&emulator, &ours, &floor, &cli_config, rounds);
    let reported = reported_orgs(&ours, &cli_config);
    let expected: BTreeSet<String> = changed.keys().cloned().collect();
    assert_eq!(
        reported, expected,
        "the refresh reports exactly the changed orgs"
    );

    print_report(orgs, rounds, &unchanged, &after_changes, &changed);
}

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, got {text:?}")),
        Err(_) => default,
    }
}

/// The accounts of every org (`for_each` over the orgs, one block per account), the provider
/// trusting the System Log for verifications older than [`WINDOW_SECONDS`].
fn fleet_config(emulator: &Emulator, orgs: usize) -> String {
    let tokens: String = (0..orgs)
        .map(|i| format!("    \"{}/o{i}\" = \"token-o{i}\"\n", emulator.url))
        .collect();
    let names: Vec<String> = (0..orgs).map(|i| format!("\"o{i}\"")).collect();
    let mut text = format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  log_lag_window_seconds = {WINDOW_SECONDS}\n  org_tokens = {{\n{tokens}  }}\n}}\nlocals {{\n  base = \"{}\"\n  orgs = toset([{}])\n}}\n",
        emulator.url,
        names.join(", ")
    );
    for (name, kind, local, extra) in ACCOUNTS {
        text.push_str(&format!(
            "resource \"okta_msp_service_account\" \"{name}\" {{\n  for_each = local.orgs\n  org_url  = \"${{local.base}}/${{each.key}}\"\n  kind     = \"{kind}\"\n  login    = \"{local}@${{each.key}}.example\"\n  email    = \"{local}@${{each.key}}.example\"\n  {extra}\n}}\n"
        ));
    }
    text
}

/// One `terraform_data` per account whose `input` is the account's state, written out as a
/// literal: a `for_each` over one large local would make Terraform evaluate the whole map for
/// every instance, which is Terraform's cost of that configuration, not of refreshing state.
fn floor_config(state: &Value) -> Value {
    let blocks: serde_json::Map<String, Value> = resources(state)
        .iter()
        .enumerate()
        .map(|(index, resource)| {
            (
                format!("account_{index}"),
                json!({ "input": resource["values"].clone() }),
            )
        })
        .collect();
    json!({ "resource": { "terraform_data": blocks } })
}

fn resources(state: &Value) -> Vec<Value> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// What one phase measured.
struct Phase {
    ours: Vec<Duration>,
    floor: Vec<Duration>,
    ratios: Vec<f64>,
    /// The API calls of the first round by org and `METHOD route`.
    calls: BTreeMap<(String, String), u64>,
}

/// `rounds` paired refresh-only plans of ours and of the floor, alternating which goes first;
/// the calls of ours are counted in the first round, and ours is saved as `refresh.plan`.
fn measure(
    emulator: &Emulator,
    ours: &Path,
    floor: &Path,
    cli_config: &Path,
    rounds: usize,
) -> Phase {
    let plan = ["plan", "-refresh-only", "-input=false", "-no-color"];
    let mut saved = plan.to_vec();
    saved.push("-out=refresh.plan");
    let mut phase = Phase {
        ours: Vec::new(),
        floor: Vec::new(),
        ratios: Vec::new(),
        calls: BTreeMap::new(),
    };
    for round in 0..rounds {
        let floor_first = round % 2 == 1;
        let floor_time = floor_first.then(|| timed(floor, cli_config, &plan));
        let before = requests(emulator);
        let ours_time = timed(ours, cli_config, if round == 0 { &saved } else { &plan });
        if round == 0 {
            let after = requests(emulator);
            phase.calls = after
                .iter()
                .map(|(key, count)| (key.clone(), count - before.get(key).copied().unwrap_or(0)))
                .filter(|(_, count)| *count > 0)
                .collect();
        }
        let floor_time = floor_time.unwrap_or_else(|| timed(floor, cli_config, &plan));
        phase
            .ratios
            .push(ours_time.as_secs_f64() / floor_time.as_secs_f64());
        phase.ours.push(ours_time);
        phase.floor.push(floor_time);
    }
    phase
}

fn timed(dir: &Path, cli_config: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    terraform(dir, cli_config, args);
    started.elapsed()
}

/// The orgs with an account whose saved refresh-only plan shows drift or a status other than
/// ACTIVE.
fn reported_orgs(ours: &Path, cli_config: &Path) -> BTreeSet<String> {
    let plan = show_json(ours, cli_config, &["refresh.plan"]);
    resources(&json!({ "values": plan["prior_state"]["values"] }))
        .iter()
        .filter(|resource| {
            let values = &resource["values"];
            values["status"] != "ACTIVE"
                || values["drift"]
                    .as_array()
                    .is_some_and(|drift| !drift.is_empty())
        })
        .map(|resource| {
            let url = resource["values"]["org_url"].as_str().unwrap_or_default();
            url.rsplit('/').next().unwrap_or_default().to_owned()
        })
        .collect()
}

fn print_report(
    orgs: usize,
    rounds: usize,
    unchanged: &Phase,
    after_changes: &Phase,
    changed: &BTreeMap<String, Change>,
) {
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "\nrefresh at fleet scale: {orgs} orgs x {} accounts, {build} build, {rounds} paired rounds (wall: median; ratio: median of the per-round ratios [min - max])",
        ACCOUNTS.len()
    );
    println!(
        "| refresh-only plan | wall | API calls | per unchanged org, mean (min - max) | per changed org | terraform_data floor | ratio |"
    );
    println!("|---|---|---|---|---|---|---|");
    let nothing_changed = BTreeMap::new();
    for (label, phase, changed) in [
        ("unchanged fleet", unchanged, &nothing_changed),
        ("1 org in 10 changed", after_changes, changed),
    ] {
        let per_org = per_org(&phase.calls, orgs);
        let calls_of = |want_changed: bool| {
            per_org
                .iter()
                .filter(move |(org, _)| changed.contains_key(*org) == want_changed)
                .map(|(_, calls)| *calls)
        };
        let total: u64 = per_org.values().sum();
        let (low, middle, high) = spread(&phase.ratios);
        println!(
            "| {label} | {:.2} s | {total} | {} | {} | {:.2} s | {middle:.2} [{low:.2} - {high:.2}] |",
            median(&phase.ours).as_secs_f64(),
            summary(calls_of(false)),
            summary(calls_of(true)),
            median(&phase.floor).as_secs_f64(),
        );
    }

    // What the calls are: an unchanged org's, and one changed org's per kind of change.
    let per_org = per_org(&after_changes.calls, orgs);
    let routes = |org: &str| -> String {
        after_changes
            .calls
            .iter()
            .filter(|((of, _), _)| of == org)
            .map(|((_, route), count)| format!("{count} x {route}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!();
    if let Some(quiet) = per_org.keys().find(|org| !changed.contains_key(*org)) {
        println!("an unchanged org ({quiet}): {}", routes(quiet));
    }
    for change in CHANGES {
        let of_kind: Vec<&String> = changed
            .iter()
            .filter(|(_, c)| **c == change)
            .map(|(org, _)| org)
            .collect();
        if let Some(first) = of_kind.first() {
            println!(
                "{change:?}, {} orgs, calls {}; {first}: {}",
                of_kind.len(),
                summary(of_kind.iter().map(|org| per_org[*org])),
                routes(first)
            );
        }
    }
}

/// Calls per org (every org of the fleet, zero when it had none).
fn per_org(calls: &BTreeMap<(String, String), u64>, orgs: usize) -> BTreeMap<String, u64> {
    let mut per_org: BTreeMap<String, u64> = (0..orgs).map(|i| (format!("o{i}"), 0)).collect();
    for ((org, _), count) in calls {
        if let Some(total) = per_org.get_mut(org) {
            *total += count;
        }
    }
    per_org
}

/// `mean (min - max)`, or `-` for none.
fn summary(values: impl Iterator<Item = u64>) -> String {
    let values: Vec<u64> = values.collect();
    if values.is_empty() {
        return "-".to_owned();
    }
    let mean = values.iter().sum::<u64>() as f64 / values.len() as f64;
    let min = values.iter().min().unwrap();
    let max = values.iter().max().unwrap();
    format!("{mean:.1} ({min} - {max})")
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// Lowest, median and highest.
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    (
        sorted[0],
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
    )
}

/// Makes `change` in `org` through its Okta API.
fn make(api: &OrgApi, org: &str, change: Change) {
    let user = |local: &str| -> String {
        api.get(&format!("/api/v1/users/{local}@{org}.example"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    match change {
        Change::RoleRemoved => {
            let id = user("oktaradius");
            let roles = api.get(&format!("/api/v1/users/{id}/roles"));
            let assignment = roles
                .as_array()
                .unwrap()
                .iter()
                .find(|role| role["type"] == "APP_ADMIN")
                .expect("the RADIUS account holds APP_ADMIN")["id"]
                .as_str()
                .unwrap()
                .to_owned();
            api.send(
                "DELETE",
                &format!("/api/v1/users/{id}/roles/{assignment}"),
                None,
            );
        }
        Change::EmailEdited => {
            let id = user("oktaadagent");
            api.send(
                "POST",
                &format!("/api/v1/users/{id}"),
                Some(json!({"profile": {"email": format!("someone-else@{org}.example")}})),
            );
        }
        Change::Suspended => {
            let id = user("svc-deep-link");
            api.send(
                "POST",
                &format!("/api/v1/users/{id}/lifecycle/suspend"),
                None,
            );
        }
        Change::RemovedFromGroup => {
            let id = user("svc-reports");
            let groups = api.get("/api/v1/groups");
            let group = groups
                .as_array()
                .unwrap()
                .iter()
                .find(|group| group["profile"]["name"] == GROUP)
                .expect("the service account group")["id"]
                .as_str()
                .unwrap()
                .to_owned();
            api.send(
                "DELETE",
                &format!("/api/v1/groups/{group}/users/{id}"),
                None,
            );
        }
        Change::PasswordPolicyWeakened => {
            let policies = api.get("/api/v1/policies?type=PASSWORD");
            let mut policy = policies
                .as_array()
                .unwrap()
                .iter()
                .find(|policy| policy["name"] == format!("{GROUP} - password"))
                .expect("the baseline's password policy")
                .clone();
            policy["settings"]["password"]["complexity"]["minLength"] = json!(8);
            let path = format!("/api/v1/policies/{}", policy["id"].as_str().unwrap());
            api.send("PUT", &path, Some(policy));
        }
    }
}

/// Requests so far, by org and `METHOD route`, from the emulator's control API.
fn requests(emulator: &Emulator) -> BTreeMap<(String, String), u64> {
    let http = Http::new();
    let stats = http.call(
        "GET",
        &format!("{}/_emulator/stats", emulator.url),
        &format!("Bearer {}", emulator.admin_token),
        None,
    );
    stats["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                (
                    row["org"].as_str().unwrap_or_default().to_owned(),
                    format!(
                        "{} {}",
                        row["method"].as_str().unwrap_or_default(),
                        row["route"].as_str().unwrap_or_default()
                    ),
                ),
                row["count"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// A small blocking HTTP client over loopback.
struct Http {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Http {
    fn new() -> Http {
        // reqwest is built without a default TLS provider; plain loopback HTTP still needs one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Http {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::new(),
        }
    }

    /// Sends the request; anything but a 2xx answer stops the bench.
    fn call(&self, method: &str, url: &str, authorization: &str, body: Option<Value>) -> Value {
        self.runtime.block_on(async {
            let mut request = self
                .client
                .request(method.parse().unwrap(), url)
                .header("Authorization", authorization)
                .header("Accept", "application/json");
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("the emulator answers");
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            assert!(status.is_success(), "{method} {url}: {status} {text}");
            serde_json::from_str(&text).unwrap_or(Value::Null)
        })
    }
}

/// One org's Okta API with its super admin's token.
struct OrgApi<'a> {
    http: &'a Http,
    base: String,
    token: String,
}

impl OrgApi<'_> {
    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.http.call(
            method,
            &format!("{}{path}", self.base),
            &format!("SSWS {}", self.token),
            body,
        )
    }

    fn get(&self, path: &str) -> Value {
        self.send("GET", path, None)
    }

    /// The `uuid` of the newest event the org's System Log lists now.
    fn newest_listed_event(&self) -> Value {
        self.get("/api/v1/logs?since=2000-01-01T00:00:00.000Z&sortOrder=DESCENDING&limit=1")[0]
            ["uuid"]
            .clone()
    }
}

fn show_json(dir: &Path, cli_config: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["show", "-json", "-no-color"];
    args.extend_from_slice(extra);
    let output = terraform(dir, cli_config, &args);
    serde_json::from_str(&output).unwrap()
}

/// Runs terraform and returns its stdout; a failure stops the bench with what it printed.
fn terraform(dir: &Path, cli_config: &Path, args: &[&str]) -> String {
    let output = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .output()
        .expect("terraform on PATH");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "terraform {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

//! `make bench`: a fleet at MSP scale in one workspace (issue 29). For each fleet size (100 and
//! 1,000 orgs by default), orgs x 4 finalized service accounts (AD agent, RADIUS, Deep Link,
//! custom) on okta-emulator (orgs seeded with `--org`, rate limiting off, the System Log 200 ms
//! late): one `terraform apply`, then, once every verification is older than the log lag window
//! (`log_lag_window_seconds = 2`), `terraform plan -refresh-only` of the unchanged fleet:
//!
//! 1. API calls per org (bound: at most 3 per unchanged org), from the emulator's statistics;
//! 2. wall time against a refresh-only plan of `terraform_data` holding the same values as the
//!    accounts' state, one literal block per account, in paired rounds (bound: median of the
//!    per-round ratios at most 1.3);
//! 3. the provider's peak resident memory (its `VmHWM` from `/proc/self/status`, which it logs
//!    as it exits; bound: 64 MiB) and the emulator's (`VmRSS` and `VmHWM` from
//!    `/proc/<pid>/status`);
//! 4. how each grows from the smallest fleet to the largest.
//!
//! `FLEET_SCALE_ORGS=100,1000` sets the sizes, `FLEET_SCALE_ROUNDS` the rounds (default 3).
//! `cargo bench --bench fleet_scale` measures the release build; `cargo test --bench
//! fleet_scale` runs the same `main` on the debug build (call counts do not depend on it).

mod common;
#[path = "common/emulator.rs"]
mod emulator;

use emulator::{Emulator, start_emulator};

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const DEFAULT_SIZES: &str = "100,1000";
const DEFAULT_ROUNDS: usize = 3;
const WINDOW_SECONDS: u64 = 2;
const LOG_LAG_MS: u64 = 200;
const MAX_CALLS_PER_ORG: f64 = 3.0;
const MAX_RATIO: f64 = 1.3;
const MAX_PROVIDER_MIB: f64 = 64.0;

/// The accounts of every org: resource name, kind, local part of the login, extra arguments.
const ACCOUNTS: [(&str, &str, &str, &str); 4] = [
    ("ad_agent", "ad_agent", "oktaadagent", ""),
    ("radius", "radius", "oktaradius", ""),
    ("deep_link", "deep_link", "svc-deep-link", ""),
    (
        "reports",
        "custom",
        "svc-reports",
        "admin_roles = [\"READ_ONLY_ADMIN\"]",
    ),
];

/// What one fleet size measured.
struct Measured {
    orgs: usize,
    apply: Duration,
    calls: u64,
    most_calls_of_an_org: u64,
    ours: Duration,
    floor: Duration,
    ratios: Vec<f64>,
    provider_peak_kib: u64,
    emulator_rss_kib: u64,
    emulator_peak_kib: u64,
}

fn main() {
    let sizes: Vec<usize> = std::env::var("FLEET_SCALE_ORGS")
        .unwrap_or_else(|_| DEFAULT_SIZES.to_owned())
        .split(',')
        .map(|size| {
            size.trim()
                .parse()
                .expect("FLEET_SCALE_ORGS: numbers, comma-separated")
        })
        .collect();
    let rounds: usize = std::env::var("FLEET_SCALE_ROUNDS")
        .map(|text| text.parse().expect("FLEET_SCALE_ROUNDS: a number"))
        .unwrap_or(DEFAULT_ROUNDS);
    let measured: Vec<Measured> = sizes
        .iter()
        .map(|&orgs| {
            let measured = measure(orgs, rounds);
            // Each size as soon as it is measured: a large fleet takes long.
            eprintln!("{}", row(&measured));
            measured
        })
        .collect();
    report(&measured, rounds);
}

fn measure(orgs: usize, rounds: usize) -> Measured {
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

    let ours = scratch.path().join("ours");
    std::fs::create_dir_all(&ours).unwrap();
    std::fs::write(ours.join("main.tf"), fleet_config(&emulator, orgs)).unwrap();
    terraform(&ours, &cli_config, &["init", "-input=false"], &[]);
    let started = Instant::now();
    terraform(
        &ours,
        &cli_config,
        &["apply", "-auto-approve", "-input=false"],
        &[],
    );
    let apply = started.elapsed();
    eprintln!(
        "{orgs} orgs: {} accounts applied in {:.1} s",
        orgs * ACCOUNTS.len(),
        apply.as_secs_f64()
    );

    // The floor: the same values as the accounts' state, one literal `terraform_data` each.
    let state = show_json(&ours, &cli_config);
    let floor = scratch.path().join("floor");
    std::fs::create_dir_all(&floor).unwrap();
    std::fs::write(floor.join("main.tf.json"), floor_config(&state).to_string()).unwrap();
    terraform(&floor, &cli_config, &["init", "-input=false"], &[]);
    terraform(
        &floor,
        &cli_config,
        &["apply", "-auto-approve", "-input=false"],
        &[],
    );

    // Every verification is now older than the window, which runs from the end of each
    // apply's own writes, dated up to a second late (`Date` is whole seconds).
    std::thread::sleep(Duration::from_millis(WINDOW_SECONDS * 1000 + 1500));
    let plan = [
        "plan",
        "-refresh-only",
        "-input=false",
        "-no-color",
        "-detailed-exitcode",
    ];

    // Calls and memory from one plan with the provider's exit line on (not timed).
    let before = requests(&emulator);
    let logged = terraform(&ours, &cli_config, &plan, &[("TF_LOG_PROVIDER", "info")]);
    let after = requests(&emulator);
    let mut per_org: BTreeMap<String, u64> = BTreeMap::new();
    for (key, count) in &after {
        let made = count - before.get(key).copied().unwrap_or(0);
        if made > 0 {
            *per_org.entry(key.0.clone()).or_default() += made;
        }
    }
    let provider_peak_kib = logged
        .stderr
        .lines()
        .filter(|line| line.contains("terraform-provider-okta-msp exiting"))
        .filter_map(|line| field(line, "peak_rss_kib"))
        .max()
        .unwrap_or(0);

    let mut ours_times = Vec::new();
    let mut floor_times = Vec::new();
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let floor_first = round % 2 == 1;
        let floor_time = floor_first.then(|| timed(&floor, &cli_config, &plan));
        let ours_time = timed(&ours, &cli_config, &plan);
        let floor_time = floor_time.unwrap_or_else(|| timed(&floor, &cli_config, &plan));
        ratios.push(ours_time.as_secs_f64() / floor_time.as_secs_f64());
        ours_times.push(ours_time);
        floor_times.push(floor_time);
    }
    let (emulator_rss_kib, emulator_peak_kib) = emulator.memory_kib();
    Measured {
        orgs,
        apply,
        calls: per_org.values().sum(),
        most_calls_of_an_org: per_org.values().copied().max().unwrap_or(0),
        ours: median(&ours_times),
        floor: median(&floor_times),
        ratios,
        provider_peak_kib,
        emulator_rss_kib,
        emulator_peak_kib,
    }
}

fn report(measured: &[Measured], rounds: usize) {
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\nfleet at scale, {} accounts per org, {build} build, {rounds} paired rounds (wall: median; ratio: median of the per-round ratios [min - max]); load average at the end: {}",
        ACCOUNTS.len(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "| orgs | accounts | apply | refresh calls | per org (max) | ours | terraform_data | ratio | provider peak | emulator RSS (peak) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for m in measured {
        println!("{}", row(m));
    }
    if let (Some(small), Some(large)) = (measured.first(), measured.last())
        && large.orgs > small.orgs
    {
        let scale = large.orgs as f64 / small.orgs as f64;
        let grows = |label: &str, from: f64, to: f64| {
            println!(
                "  {label}: x{:.2} for x{scale:.0} orgs ({})",
                to / from,
                if to / from <= scale * 1.05 {
                    "linear or better"
                } else {
                    "faster than linear"
                }
            );
        };
        println!("growth from {} to {} orgs:", small.orgs, large.orgs);
        grows("refresh calls", small.calls as f64, large.calls as f64);
        grows(
            "refresh wall time",
            small.ours.as_secs_f64(),
            large.ours.as_secs_f64(),
        );
        grows(
            "terraform_data wall time",
            small.floor.as_secs_f64(),
            large.floor.as_secs_f64(),
        );
        grows(
            "provider peak memory",
            small.provider_peak_kib as f64,
            large.provider_peak_kib as f64,
        );
        grows(
            "emulator resident memory",
            small.emulator_rss_kib as f64,
            large.emulator_rss_kib as f64,
        );
    }
    for m in measured {
        let per_org = m.most_calls_of_an_org as f64;
        let (_, ratio, _) = spread(&m.ratios);
        let peak = m.provider_peak_kib as f64 / 1024.0;
        println!(
            "{} orgs: calls per org {} (<= {MAX_CALLS_PER_ORG}), ratio {} (<= {MAX_RATIO}), provider peak {} (<= {MAX_PROVIDER_MIB} MiB)",
            m.orgs,
            verdict(per_org <= MAX_CALLS_PER_ORG),
            verdict(ratio <= MAX_RATIO),
            verdict(peak <= MAX_PROVIDER_MIB),
        );
    }
}

/// One size's row of the table.
fn row(m: &Measured) -> String {
    let (low, middle, high) = spread(&m.ratios);
    format!(
        "| {} | {} | {:.1} s | {} | {:.2} ({}) | {:.2} s | {:.2} s | {middle:.2} [{low:.2} - {high:.2}] | {:.1} MiB | {:.1} MiB ({:.1} MiB) |",
        m.orgs,
        m.orgs * ACCOUNTS.len(),
        m.apply.as_secs_f64(),
        m.calls,
        m.calls as f64 / m.orgs as f64,
        m.most_calls_of_an_org,
        m.ours.as_secs_f64(),
        m.floor.as_secs_f64(),
        m.provider_peak_kib as f64 / 1024.0,
        m.emulator_rss_kib as f64 / 1024.0,
        m.emulator_peak_kib as f64 / 1024.0,
    )
}

fn verdict(holds: bool) -> &'static str {
    if holds { "holds" } else { "EXCEEDED" }
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

/// One `terraform_data` per account whose `input` is the account's state, as a literal.
fn floor_config(state: &Value) -> Value {
    let blocks: serde_json::Map<String, Value> = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
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

fn field(line: &str, name: &str) -> Option<u64> {
    let start = line.find(&format!("{name}="))? + name.len() + 1;
    line[start..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

fn timed(dir: &Path, cli_config: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    terraform(dir, cli_config, args, &[]);
    started.elapsed()
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

/// Requests so far, by org and `METHOD route`, from the emulator's control API.
fn requests(emulator: &Emulator) -> BTreeMap<(String, String), u64> {
    // reqwest is built without a default TLS provider; plain loopback HTTP still needs one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stats: Value = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{}/_emulator/stats", emulator.url))
            .header("Authorization", format!("Bearer {}", emulator.admin_token))
            .send()
            .await
            .expect("the emulator answers")
            .json()
            .await
            .expect("statistics as JSON")
    });
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

fn show_json(dir: &Path, cli_config: &Path) -> Value {
    let output = terraform(dir, cli_config, &["show", "-json", "-no-color"], &[]);
    serde_json::from_str(&output.stdout).unwrap()
}

struct Output {
    stdout: String,
    stderr: String,
}

/// Runs terraform; a failure stops the bench with what it printed. A refresh-only plan's exit
/// code 2 (changes) stops it too: the fleet is unchanged.
fn terraform(dir: &Path, cli_config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let output = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .envs(env.iter().copied())
        .output()
        .expect("terraform on PATH");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "terraform {args:?} failed:\n{stdout}\n{}",
        stderr.lines().rev().take(40).collect::<Vec<_>>().join("\n")
    );
    Output { stdout, stderr }
}

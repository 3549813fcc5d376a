//! `make bench`: applies at Okta's ceiling (issue 17), through the real CLI, the real provider
//! and okta-emulator, counted by the emulator's control API (`stats`, `rate-limits`).
//!
//! 1. Calls per account per kind on a fresh apply: for each kind the resource creates, one
//!    account and then eleven in fresh emulators (rate limiting off); the difference over ten is
//!    one account's calls, route by route, and the rest of the one-account apply is the org's
//!    fixed cost. (`msp_integration` is created with its org by `okta_msp_org`, not here.)
//! 2. Ceiling use: 1 org x 60 accounts at `--rate-limit-scale 0.1`. For each bucket, with C
//!    calls and L a window (the provider's token's share of the bucket, half of it by
//!    Okta's default, as the emulator's `rate-limits` reports it), the least time the calls can take is
//!    `60 s * floor((C - 1) / L) + t_last`: the full windows before the last, and `t_last`, the
//!    time of the last window's `C - L * floor((C - 1) / L)` calls at the unthrottled pace (the
//!    same apply with rate limiting off, pro rata). The binding bucket is the one with the
//!    largest minimum; ceiling use is that minimum over the actual wall time, and the 429s
//!    served must be 0.
//! 3. 20 orgs x 25 accounts at the default (Workforce) limits: wall time, calls, 429s.
//! 4. A `terraform plan` (with refresh) of those 500 accounts against 500 `terraform_data`
//!    holding the same content (their states' values, one resource per org with `count` as
//!    ours), in alternating rounds; target <= 1.2, and the API calls of one refresh: right after
//!    the apply (each account's roles are read while it was verified within the System Log's lag
//!    window), and once the log is trusted (`log_lag_window_seconds = 0`, the timed rounds).
//!
//! `cargo bench --bench apply_ceiling` (release), or `cargo test --bench apply_ceiling` (debug);
//! `APPLY_CEILING_ONLY=kinds,ceiling,fleet` picks parts (parts 3 and 4 are `fleet`).

mod common;
#[path = "common/emulator.rs"]
mod emulator;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use emulator::{Emulator, start_emulator};
use serde_json::Value;

const KINDS: [&str; 4] = ["deep_link", "ad_agent", "radius", "custom"];
const CEILING_ACCOUNTS: usize = 60;
const CEILING_SCALE: &str = "0.1";
const FLEET_ORGS: usize = 20;
const FLEET_ACCOUNTS: usize = 25;
const PLAN_ROUNDS: usize = 5;

fn main() {
    let scratch = tempfile::tempdir().expect("scratch dir");
    let cli_config = common::install_mirror(
        scratch.path(),
        env!("CARGO_BIN_EXE_terraform-provider-okta-msp"),
    );
    let bench = Bench {
        root: scratch.path().to_owned(),
        cli_config,
    };
    println!(
        "apply_ceiling ({} build)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    // `APPLY_CEILING_ONLY=fleet` (or `kinds`, `ceiling`, comma-separated) runs only those parts.
    let only = std::env::var("APPLY_CEILING_ONLY").unwrap_or_default();
    let wanted = |part: &str| only.is_empty() || only.split(',').any(|p| p.trim() == part);
    if wanted("kinds") {
        bench.calls_per_kind();
    }
    if wanted("ceiling") {
        bench.ceiling();
    }
    if wanted("fleet") {
        bench.fleet();
    }
}

struct Bench {
    root: PathBuf,
    cli_config: PathBuf,
}

/// Requests by `(method, route template)`, from `stats`, for one org.
type Calls = BTreeMap<(String, String), u64>;

impl Bench {
    fn calls_per_kind(&self) {
        println!("\n1. Okta API calls per account on a fresh apply, by kind (rate limiting off)");
        for kind in KINDS {
            let one = self
                .fresh_apply(kind, 1, &["--rate-limit-scale", "0"])
                .calls;
            let eleven = self
                .fresh_apply(kind, 11, &["--rate-limit-scale", "0"])
                .calls;
            let per_account: BTreeMap<&(String, String), f64> = eleven
                .iter()
                .map(|(route, count)| {
                    let before = one.get(route).copied().unwrap_or(0);
                    (route, (*count as f64 - before as f64) / 10.0)
                })
                .filter(|(_, count)| *count > 0.0)
                .collect();
            let total: f64 = per_account.values().sum();
            let fixed = one.values().sum::<u64>() as f64 - total;
            println!("   {kind}: {total:.1} calls per account (the org's fixed cost: {fixed:.0})");
            for ((method, route), count) in per_account {
                println!("      {count:>5.1}  {method} {route}");
            }
        }
    }

    fn ceiling(&self) {
        println!(
            "\n2. Ceiling use: 1 org x {CEILING_ACCOUNTS} accounts at --rate-limit-scale {CEILING_SCALE}"
        );
        let free = self.fresh_apply("ad_agent", CEILING_ACCOUNTS, &["--rate-limit-scale", "0"]);
        let limited = self.fresh_apply(
            "ad_agent",
            CEILING_ACCOUNTS,
            &["--rate-limit-scale", CEILING_SCALE],
        );
        let total_calls: u64 = limited.calls.values().sum();
        println!(
            "   unthrottled: {:.1} s for {} calls; at the scale: {:.1} s for {total_calls} calls, {} 429s served (target 0)",
            free.wall.as_secs_f64(),
            free.calls.values().sum::<u64>(),
            limited.wall.as_secs_f64(),
            limited.rate_limited
        );
        let free_pace = free.wall.as_secs_f64() / free.calls.values().sum::<u64>().max(1) as f64;
        let mut binding: Option<(String, f64)> = None;
        println!(
            "   {:<38} {:>6} {:>6} {:>10}",
            "bucket", "calls", "limit", "minimum s"
        );
        for (bucket, limit, calls) in buckets_of(&limited.limits, &limited.calls) {
            if calls == 0 {
                continue;
            }
            let full_windows = (calls - 1) / limit;
            let last_window = calls - limit * full_windows;
            let minimum = 60.0 * full_windows as f64 + free_pace * last_window as f64;
            println!("   {bucket:<38} {calls:>6} {limit:>6} {minimum:>10.1}");
            if binding.as_ref().is_none_or(|(_, best)| minimum > *best) {
                binding = Some((bucket, minimum));
            }
        }
        if let Some((bucket, minimum)) = binding {
            println!(
                "   binding bucket {bucket}: minimum {minimum:.1} s, actual {:.1} s: {:.0}% of the ceiling (target >= 90%), {} 429s (target 0), apply {}",
                limited.wall.as_secs_f64(),
                100.0 * minimum / limited.wall.as_secs_f64(),
                limited.rate_limited,
                if limited.ok { "succeeded" } else { "FAILED" }
            );
        }
    }

    fn fleet(&self) {
        println!(
            "\n3. {FLEET_ORGS} orgs x {FLEET_ACCOUNTS} accounts at the default (Workforce Identity) limits"
        );
        let mut args = seed_args(FLEET_ORGS);
        args.extend(["--search-lag-ms".to_owned(), "0".to_owned()]);
        let emulator = start_emulator(&args);
        let dir = self.root.join("fleet");
        write_accounts_config(&dir, &emulator, FLEET_ORGS, FLEET_ACCOUNTS, "ad_agent");
        self.terraform(&dir, &["init", "-input=false"]);
        let started = Instant::now();
        let (ok, output) = self.terraform(&dir, &["apply", "-auto-approve", "-input=false"]);
        let wall = started.elapsed();
        let stats = control(&emulator, "/stats");
        let calls = stats["requests_total"].as_u64().unwrap_or(0);
        println!(
            "   apply: {:.1} s, {calls} API calls ({:.1} per account), {} 429s served, apply {}",
            wall.as_secs_f64(),
            calls as f64 / (FLEET_ORGS * FLEET_ACCOUNTS) as f64,
            stats["rate_limited"],
            if ok { "succeeded" } else { "FAILED" }
        );
        if !ok {
            println!("{output}");
            return;
        }

        println!(
            "\n4. terraform plan (with refresh) of the {} accounts against {} terraform_data holding the same content",
            FLEET_ORGS * FLEET_ACCOUNTS,
            FLEET_ORGS * FLEET_ACCOUNTS
        );
        let floor = self.root.join("floor");
        self.write_floor(&dir, &floor);
        self.terraform(&floor, &["init", "-input=false"]);
        let (ok, output) = self.terraform(&floor, &["apply", "-auto-approve", "-input=false"]);
        assert!(ok, "floor apply failed:\n{output}");
        let plan = ["plan", "-input=false", "-detailed-exitcode"];
        // Right after the apply every account was verified within the System Log's lag window
        // (five minutes by default), so a refresh reads each one's roles; later it trusts the
        // log. The timed rounds are the later case (`log_lag_window_seconds = 0`).
        let before = control(&emulator, "/stats")["requests_total"]
            .as_u64()
            .unwrap_or(0);
        let (ok, output) = self.terraform(&dir, &plan);
        assert!(ok, "plan failed or is not empty:\n{output}");
        let fresh_calls = control(&emulator, "/stats")["requests_total"]
            .as_u64()
            .unwrap_or(0)
            - before;
        println!(
            "   refresh right after the apply (roles read, within the log's lag window): {fresh_calls} API calls ({:.2} per account)",
            fresh_calls as f64 / (FLEET_ORGS * FLEET_ACCOUNTS) as f64
        );
        let config = std::fs::read_to_string(dir.join("main.tf")).unwrap();
        std::fs::write(
            dir.join("main.tf"),
            config.replacen(
                "provider \"okta\" {\n",
                "provider \"okta\" {\n  log_lag_window_seconds = 0\n",
                1,
            ),
        )
        .unwrap();
        let (mut ours, mut floors, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        let mut refresh_calls = 0;
        for round in 0..PLAN_ROUNDS {
            let before = control(&emulator, "/stats")["requests_total"]
                .as_u64()
                .unwrap_or(0);
            let time = |dir: &Path| {
                let started = Instant::now();
                let (ok, output) = self.terraform(dir, &plan);
                assert!(
                    ok,
                    "plan in {} failed or is not empty:\n{output}",
                    dir.display()
                );
                started.elapsed()
            };
            let (mine, theirs) = if round % 2 == 0 {
                let mine = time(&dir);
                (mine, time(&floor))
            } else {
                let theirs = time(&floor);
                (time(&dir), theirs)
            };
            refresh_calls = control(&emulator, "/stats")["requests_total"]
                .as_u64()
                .unwrap_or(0)
                - before;
            ratios.push(mine.as_secs_f64() / theirs.as_secs_f64());
            ours.push(mine);
            floors.push(theirs);
        }
        println!(
            "   okta_msp_service_account: {:.2} s, terraform_data: {:.2} s (medians of {PLAN_ROUNDS}); median ratio {:.2} (target <= 1.2); {refresh_calls} API calls per refresh once the System Log is trusted ({:.2} per account)",
            median(ours.iter().map(Duration::as_secs_f64).collect()),
            median(floors.iter().map(Duration::as_secs_f64).collect()),
            median(ratios),
            refresh_calls as f64 / (FLEET_ORGS * FLEET_ACCOUNTS) as f64
        );
    }

    /// Applies `count` accounts of `kind` in one seeded org of a fresh emulator.
    fn fresh_apply(&self, kind: &str, count: usize, emulator_args: &[&str]) -> Applied {
        let mut args = seed_args(1);
        args.extend(emulator_args.iter().map(|arg| (*arg).to_owned()));
        args.extend(["--search-lag-ms".to_owned(), "0".to_owned()]);
        let emulator = start_emulator(&args);
        let dir = self.root.join(format!(
            "{kind}-{count}-{}",
            emulator_args.join("").replace('.', "_")
        ));
        write_accounts_config(&dir, &emulator, 1, count, kind);
        self.terraform(&dir, &["init", "-input=false"]);
        let started = Instant::now();
        let (ok, output) = self.terraform(&dir, &["apply", "-auto-approve", "-input=false"]);
        let wall = started.elapsed();
        assert!(ok, "apply of {count} {kind} accounts failed:\n{output}");
        let stats = control(&emulator, "/stats");
        let mut calls = Calls::new();
        for request in stats["requests"].as_array().into_iter().flatten() {
            if request["org"] == "o0" {
                let key = (
                    request["method"].as_str().unwrap_or("").to_owned(),
                    request["route"].as_str().unwrap_or("").to_owned(),
                );
                *calls.entry(key).or_default() += request["count"].as_u64().unwrap_or(0);
            }
        }
        Applied {
            ok,
            wall,
            calls,
            rate_limited: stats["rate_limited"].as_u64().unwrap_or(0),
            limits: control(&emulator, "/rate-limits"),
        }
    }

    /// A configuration of `terraform_data` whose inputs are the accounts' states in `ours`, in
    /// the same shape: one resource per org with `count`, each instance's input its account's
    /// state (read from a JSON file per org, as a `local`).
    fn write_floor(&self, ours: &Path, floor: &Path) {
        let (ok, shown) = self.terraform(ours, &["show", "-json"]);
        assert!(ok, "terraform show failed:\n{shown}");
        let shown: Value = serde_json::from_str(&shown).expect("show -json");
        let mut by_org: BTreeMap<String, Vec<(u64, Value)>> = BTreeMap::new();
        for resource in shown["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let name = resource["name"].as_str().unwrap_or_default().to_owned();
            let index = resource["index"].as_u64().unwrap_or(0);
            by_org
                .entry(name)
                .or_default()
                .push((index, resource["values"].clone()));
        }
        std::fs::create_dir_all(floor).unwrap();
        let mut text = String::new();
        for (name, mut accounts) in by_org {
            accounts.sort_by_key(|(index, _)| *index);
            let values: Vec<Value> = accounts.into_iter().map(|(_, value)| value).collect();
            std::fs::write(
                floor.join(format!("{name}.json")),
                serde_json::to_vec(&values).unwrap(),
            )
            .unwrap();
            text.push_str(&format!(
                "locals {{\n  {name} = jsondecode(file(\"${{path.module}}/{name}.json\"))\n}}\nresource \"terraform_data\" \"{name}\" {{\n  count = {}\n  input = local.{name}[count.index]\n}}\n",
                values.len()
            ));
        }
        std::fs::write(floor.join("main.tf"), text).unwrap();
    }

    /// Runs terraform in `dir`; whether it succeeded (a plan's exit 2, "changes", is a
    /// failure here: every plan measured must be empty) and its output.
    fn terraform(&self, dir: &Path, args: &[&str]) -> (bool, String) {
        let output = Command::new("terraform")
            .args(args)
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .output()
            .expect("terraform on PATH");
        let text = if args.first() == Some(&"show") {
            String::from_utf8_lossy(&output.stdout).into_owned()
        } else {
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        };
        (output.status.success(), text)
    }
}

struct Applied {
    ok: bool,
    wall: Duration,
    calls: Calls,
    rate_limited: u64,
    /// `GET /_emulator/rate-limits` of the emulator that served the apply.
    limits: Value,
}

/// Each bucket of `limits` with its limit a window and the calls of `calls` in it.
fn buckets_of(limits: &Value, calls: &Calls) -> Vec<(String, u64, u64)> {
    limits["buckets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|bucket| {
            let in_bucket: u64 = bucket["routes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|route| {
                    let key = (
                        route["method"].as_str().unwrap_or("").to_owned(),
                        route["template"].as_str().unwrap_or("").to_owned(),
                    );
                    calls.get(&key).copied().unwrap_or(0)
                })
                .sum();
            (
                bucket["bucket"].as_str().unwrap_or("").to_owned(),
                // One credential's share of the bucket (Okta's default is half of it): the
                // provider's one token cannot use more.
                bucket["share_per_minute"]
                    .as_u64()
                    .or_else(|| bucket["limit_per_minute"].as_u64())
                    .unwrap_or(1)
                    .max(1),
                in_bucket,
            )
        })
        .collect()
}

fn seed_args(orgs: usize) -> Vec<String> {
    (0..orgs)
        .flat_map(|i| ["--org".to_owned(), format!("o{i}:token-o{i}")])
        .collect()
}

/// `per_org` accounts of `kind` in each of `orgs` seeded orgs (`o0`, `o1`, ...).
fn write_accounts_config(dir: &Path, emulator: &Emulator, orgs: usize, per_org: usize, kind: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let tokens: Vec<String> = (0..orgs)
        .map(|i| format!("    \"{}/o{i}\" = \"token-o{i}\"", emulator.url))
        .collect();
    let mut text = format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  org_tokens = {{\n{}\n  }}\n}}\n",
        tokens.join("\n")
    );
    let roles = if kind == "custom" {
        "  admin_roles = [\"READ_ONLY_ADMIN\"]\n"
    } else {
        ""
    };
    for i in 0..orgs {
        text.push_str(&format!(
            "resource \"okta_msp_service_account\" \"o{i}\" {{\n  count   = {per_org}\n  org_url = \"{}/o{i}\"\n  kind    = \"{kind}\"\n  login   = \"{kind}-${{count.index}}@o{i}.example\"\n  email   = \"{kind}-${{count.index}}@o{i}.example\"\n{roles}}}\n",
            emulator.url
        ));
    }
    std::fs::write(dir.join("main.tf"), text).unwrap();
}

/// A control API call (`GET {url}/_emulator{path}`) answered with JSON.
fn control(emulator: &Emulator, path: &str) -> Value {
    // python3 is already needed by `make test`; the bench stays free of an HTTP client.
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys,urllib.request as u; r=u.Request(sys.argv[1], headers={'Authorization':'Bearer '+sys.argv[2]}); sys.stdout.write(u.urlopen(r).read().decode())",
            &format!("{}/_emulator{path}", emulator.url),
            &emulator.admin_token,
        ])
        .output()
        .expect("python3");
    serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

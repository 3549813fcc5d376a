//! `make bench`: what the provider adds to Terraform.
//!
//! 1. `terraform plan` over 500 `okta_msp_service_account` instances against 500 `terraform_data`
//!    (Terraform's built-in resource, the floor), interleaved runs, median wall times and their
//!    ratio (target: at most 1.3). Two floors are measured: `terraform_data` with the four
//!    configured values as its input, and with an input object carrying all 16 attributes our
//!    resource plans (values and nulls alike), because Terraform's own per-attribute work (plan
//!    rendering, validity checks) grows with the attribute count and is no provider overhead.
//! 2. Time from process start to the handshake line (median of 20 starts).
//! 3. The provider's peak resident memory during the 500-instance plan.
//!
//! Runs the release binary through the real CLI with an isolated CLI configuration.

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const INSTANCES: usize = 500;
const ROUNDS: usize = 5;

fn main() {
    let provider = env!("CARGO_BIN_EXE_terraform-provider-okta-msp");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let cli_config = common::install_mirror(scratch.path(), provider);

    let ours = scratch.path().join("okta");
    let floor = scratch.path().join("terraform_data");
    let same_shape = scratch.path().join("terraform_data_same_shape");
    write_config(
        &same_shape,
        &format!(
            r#"resource "terraform_data" "bench" {{
  count = {INSTANCES}
  input = {{
    org_url       = "http://127.0.0.1:9/acme"
    kind          = "ad_agent"
    login         = "okta-ad-agent-${{count.index}}@acme.example"
    email         = "okta-ad-agent-${{count.index}}@acme.example"
    finalize      = true
    admin_roles   = null
    first_name    = null
    last_name     = null
    org_api_token = null
    password_wo   = null
    id            = null
    org_id        = null
    status        = null
    finalized     = null
    finalized_at  = null
    drift         = null
  }}
}}
"#
        ),
    );
    write_config(
        &ours,
        &format!(
            r#"terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{}}
resource "okta_msp_service_account" "bench" {{
  count   = {INSTANCES}
  org_url = "http://127.0.0.1:9/acme"
  kind    = "ad_agent"
  login   = "okta-ad-agent-${{count.index}}@acme.example"
  email   = "okta-ad-agent-${{count.index}}@acme.example"
}}
"#
        ),
    );
    write_config(
        &floor,
        &format!(
            r#"resource "terraform_data" "bench" {{
  count = {INSTANCES}
  input = {{
    org_url = "http://127.0.0.1:9/acme"
    kind    = "ad_agent"
    login   = "okta-ad-agent-${{count.index}}@acme.example"
    email   = "okta-ad-agent-${{count.index}}@acme.example"
  }}
}}
"#
        ),
    );
    for dir in [&ours, &floor, &same_shape] {
        run_terraform(dir, &cli_config, &["init", "-input=false", "-no-color"]);
    }
    // One warm-up each so file caches are equal.
    for dir in [&ours, &floor, &same_shape] {
        plan(dir, &cli_config);
    }

    let peak_rss_kib = Arc::new(AtomicU64::new(0));
    let mut ours_times = Vec::new();
    let mut floor_times = Vec::new();
    let mut same_shape_times = Vec::new();
    for _ in 0..ROUNDS {
        let watching = Arc::new(AtomicBool::new(true));
        let watcher = spawn_memory_watcher(watching.clone(), peak_rss_kib.clone());
        ours_times.push(plan(&ours, &cli_config));
        watching.store(false, Ordering::Relaxed);
        watcher.join().unwrap();
        floor_times.push(plan(&floor, &cli_config));
        same_shape_times.push(plan(&same_shape, &cli_config));
    }
    let ours_median = median(&mut ours_times);
    let floor_median = median(&mut floor_times);
    let same_shape_median = median(&mut same_shape_times);
    let ratio = ours_median.as_secs_f64() / floor_median.as_secs_f64();
    let same_shape_ratio = ours_median.as_secs_f64() / same_shape_median.as_secs_f64();

    let handshake = median(
        &mut (0..20)
            .map(|_| time_to_handshake(provider))
            .collect::<Vec<_>>(),
    );

    println!("plan over {INSTANCES} instances ({ROUNDS} interleaved rounds, medians):");
    println!(
        "  okta_msp_service_account:             {:>8.3} s",
        ours_median.as_secs_f64()
    );
    println!(
        "  terraform_data (4 values):            {:>8.3} s",
        floor_median.as_secs_f64()
    );
    println!(
        "  terraform_data (same 16 attributes):  {:>8.3} s",
        same_shape_median.as_secs_f64()
    );
    println!("  ratio to terraform_data (4 values):   {ratio:>8.3}");
    println!("  ratio to terraform_data (same shape): {same_shape_ratio:>8.3} (target <= 1.3)");
    println!(
        "provider start to handshake line (median of 20): {:.1} ms",
        handshake.as_secs_f64() * 1000.0
    );
    println!(
        "provider peak resident memory during the plan: {:.1} MiB",
        peak_rss_kib.load(Ordering::Relaxed) as f64 / 1024.0
    );
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn write_config(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("main.tf"), text).unwrap();
}

fn run_terraform(dir: &Path, cli_config: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let output = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .output()
        .expect("terraform on PATH");
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "terraform {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

fn plan(dir: &Path, cli_config: &Path) -> Duration {
    run_terraform(
        dir,
        cli_config,
        &[
            "plan",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-refresh=false",
        ],
    )
}

/// Samples the high-water mark of every running provider process until told to stop.
fn spawn_memory_watcher(
    watching: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while watching.load(Ordering::Relaxed) {
            if let Ok(entries) = std::fs::read_dir("/proc") {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let Ok(cmdline) = std::fs::read(path.join("cmdline")) else {
                        continue;
                    };
                    let first = cmdline.split(|b| *b == 0).next().unwrap_or_default();
                    if !String::from_utf8_lossy(first).contains("terraform-provider-okta-msp") {
                        continue;
                    }
                    let status = std::fs::read_to_string(path.join("status")).unwrap_or_default();
                    if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
                        let kib: u64 = line
                            .split_whitespace()
                            .nth(1)
                            .and_then(|n| n.parse().ok())
                            .unwrap_or(0);
                        peak_kib.fetch_max(kib, Ordering::Relaxed);
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    })
}

fn time_to_handshake(provider: &str) -> Duration {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    let started = Instant::now();
    let mut child = Command::new(provider)
        .env(
            "TF_PLUGIN_MAGIC_COOKIE",
            "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", pem)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let elapsed = started.elapsed();
    assert!(line.starts_with("1|6|"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

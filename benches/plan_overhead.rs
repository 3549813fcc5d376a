//! `make bench`: what the provider adds to Terraform.
//!
//! 1. `terraform plan` over 500 `okta_msp_service_account` instances against 500 `terraform_data`
//!    (Terraform's built-in resource, the floor), in paired rounds: each round plans ours and every
//!    floor back to back, so a slow spell on the machine hits both sides of a ratio. The target
//!    (at most 1.3) is the median of the per-round wall-time ratios against the floor that plans
//!    what ours plans: the same 16 attributes with the same values and the same "known after
//!    apply". Terraform's own per-resource work (plan rendering, validity checks) grows with that
//!    content, and is no provider overhead. Two leaner floors are printed beside it for context.
//! 2. CPU time of each plan (Terraform and the provider together), and the provider's own share,
//!    from the line each plugin process logs as it exits.
//! 3. The fixed cost: the same plans with one instance (Terraform starts the provider three times
//!    per plan: schema, validation, planning).
//! 4. Time from process start to the handshake line (median of 20 starts), and the provider's
//!    peak resident memory.
//!
//! Runs the release binary through the real CLI with an isolated CLI configuration.

mod common;
#[path = "common/emulator.rs"]
mod emulator;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const INSTANCES: usize = 500;
/// 21 rather than 11: single plans on a shared 2-core machine vary by 10-20%, and the median of
/// 21 paired ratios moves less from one run of the bench to the next.
const ROUNDS: usize = 21;
const FIXED_COST_ROUNDS: usize = 7;

/// One measured `terraform plan`.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    /// User and system CPU of Terraform and every process it started.
    cpu: Duration,
}

struct Case {
    label: &'static str,
    dir: PathBuf,
}

fn main() {
    let provider = env!("CARGO_BIN_EXE_terraform-provider-okta-msp");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let cli_config = common::install_mirror(scratch.path(), provider);

    // A real org to plan against: the plan looks the logins up (one listing per ten accounts)
    // and checks the baseline's owner, as it does for users. Rate limiting off: the bench
    // measures the provider, not Okta's budget.
    let okta = emulator::start_emulator(&["--org", "acme:bench-token", "--rate-limit-scale", "0"]);
    let org_url = format!("{}/acme", okta.url);
    let case = |label, name: &str, text: String| {
        let dir = scratch.path().join(name);
        let text = text.replace(PLACEHOLDER_ORG_URL, &org_url).replace(
            "provider \"okta\" {}",
            &format!(
                "provider \"okta\" {{\n  org_tokens = {{ \"{org_url}\" = \"bench-token\" }}\n}}"
            ),
        );
        write_config(&dir, &text);
        run_terraform(
            &dir,
            &cli_config,
            &["init", "-input=false", "-no-color"],
            &[],
        );
        Case { label, dir }
    };
    let ours = case("okta_msp_service_account", "ours", ours_config(INSTANCES));
    let same_plan = case(
        "terraform_data planning the same content",
        "same_plan",
        same_plan_config(INSTANCES),
    );
    let floors = [
        same_plan,
        case(
            "terraform_data, same attributes, nulls",
            "same_attributes",
            same_attributes_config(),
        ),
        case(
            "terraform_data, the 4 configured values",
            "configured_values",
            configured_values_config(),
        ),
    ];
    let ours_one = case("okta_msp_service_account", "ours_one", ours_config(1));
    let same_plan_one = case(
        "terraform_data planning the same content",
        "same_plan_one",
        same_plan_config(1),
    );

    // One warm-up each so file caches are equal.
    for case in std::iter::once(&ours).chain(&floors) {
        plan(&case.dir, &cli_config);
    }

    let mut ours_samples = Vec::new();
    let mut floor_samples: Vec<Vec<Sample>> = vec![Vec::new(); floors.len()];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); floors.len()];
    for round in 0..ROUNDS {
        // Alternate which side goes first, so neither always runs on a warmer machine.
        let ours_first = round % 2 == 0;
        let ours_sample = if ours_first {
            Some(plan(&ours.dir, &cli_config))
        } else {
            None
        };
        let round_floors: Vec<Sample> = floors
            .iter()
            .map(|floor| plan(&floor.dir, &cli_config))
            .collect();
        let ours_sample = ours_sample.unwrap_or_else(|| plan(&ours.dir, &cli_config));
        for (index, floor_sample) in round_floors.into_iter().enumerate() {
            ratios[index].push(ours_sample.wall.as_secs_f64() / floor_sample.wall.as_secs_f64());
            floor_samples[index].push(floor_sample);
        }
        ours_samples.push(ours_sample);
    }

    let mut ours_one_samples = Vec::new();
    let mut same_plan_one_samples = Vec::new();
    for _ in 0..FIXED_COST_ROUNDS {
        ours_one_samples.push(plan(&ours_one.dir, &cli_config));
        same_plan_one_samples.push(plan(&same_plan_one.dir, &cli_config));
    }

    let usage = provider_usage(&ours.dir, &cli_config);
    let handshake = median_duration(
        (0..20)
            .map(|_| time_to_handshake(provider))
            .collect::<Vec<_>>(),
    );

    let ours_wall = median_duration(ours_samples.iter().map(|s| s.wall).collect());
    let ours_cpu = median_duration(ours_samples.iter().map(|s| s.cpu).collect());
    println!(
        "plan over {INSTANCES} instances, {ROUNDS} paired rounds (medians; per-round ratios as median [quartiles]):"
    );
    println!(
        "  {:<44} wall {:>6.3} s  cpu {:>6.3} s",
        ours.label,
        ours_wall.as_secs_f64(),
        ours_cpu.as_secs_f64()
    );
    for (index, floor) in floors.iter().enumerate() {
        let wall = median_duration(floor_samples[index].iter().map(|s| s.wall).collect());
        let cpu = median_duration(floor_samples[index].iter().map(|s| s.cpu).collect());
        let (low, middle, high) = quartiles(&ratios[index]);
        let target = if index == 0 { "  (target <= 1.3)" } else { "" };
        println!(
            "  {:<44} wall {:>6.3} s  cpu {:>6.3} s  ratio {middle:.3} [{low:.3} - {high:.3}]  cpu ratio {:.3}{target}",
            floor.label,
            wall.as_secs_f64(),
            cpu.as_secs_f64(),
            ours_cpu.as_secs_f64() / cpu.as_secs_f64(),
        );
    }
    let ours_one_wall = median_duration(ours_one_samples.iter().map(|s| s.wall).collect());
    let same_plan_one_wall =
        median_duration(same_plan_one_samples.iter().map(|s| s.wall).collect());
    println!(
        "fixed cost, one instance ({FIXED_COST_ROUNDS} rounds, medians): {} {:.3} s, {} {:.3} s",
        ours_one.label,
        ours_one_wall.as_secs_f64(),
        same_plan_one.label,
        same_plan_one_wall.as_secs_f64()
    );
    match usage {
        Some(usage) => {
            println!(
                "the provider's own processes ({} starts) in one {INSTANCES}-instance plan: {:.3} s CPU of the plan's {:.3} s ({:.1}%)",
                usage.processes,
                usage.provider_cpu.as_secs_f64(),
                usage.total_cpu.as_secs_f64(),
                100.0 * usage.provider_cpu.as_secs_f64() / usage.total_cpu.as_secs_f64()
            );
            println!(
                "provider peak resident memory: {:.1} MiB",
                usage.peak_rss_kib as f64 / 1024.0
            );
        }
        None => println!("the provider logged no exit line: its CPU share is unknown"),
    }
    println!(
        "provider start to handshake line (median of 20): {:.1} ms",
        handshake.as_secs_f64() * 1000.0
    );
}

/// Replaced by the emulator's org in every configuration (ours and the floors alike).
const PLACEHOLDER_ORG_URL: &str = "http://127.0.0.1:9/acme";

/// The four values every configuration gives, ours as arguments and the floors as input.
const CONFIGURED: [(&str, &str); 4] = [
    ("org_url", r#""http://127.0.0.1:9/acme""#), // PLACEHOLDER_ORG_URL, the emulator's org
    ("kind", r#""ad_agent""#),
    ("login", r#""okta-ad-agent-${count.index}@acme.example""#),
    ("email", r#""okta-ad-agent-${count.index}@acme.example""#),
];

/// What our resource plans beyond the configured values: the kind's defaults, and "known after
/// apply" (from `timestamp()`, unknown while planning, evaluated once in a local) where ours
/// leaves a value to the apply.
const PLANNED: [(&str, &str); 12] = [
    ("finalize", "true"),
    ("admin_roles", r#"toset(["SUPER_ADMIN"])"#),
    ("first_name", r#""OktaADAgent""#),
    ("last_name", r#""Service Account""#),
    ("org_api_token", "null"),
    ("password_wo", "null"),
    ("id", "local.later"),
    ("org_id", "local.later"),
    ("status", "local.later"),
    ("finalized", r#"local.later != """#),
    ("finalized_at", "local.later"),
    ("drift", "tolist([])"),
];

fn assignments(attributes: &[(&str, &str)], indent: &str) -> String {
    attributes
        .iter()
        .map(|(name, value)| format!("{indent}{name:<13} = {value}\n"))
        .collect()
}

fn ours_config(instances: usize) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{}}\nresource \"okta_msp_service_account\" \"bench\" {{\n  count         = {instances}\n{}}}\n",
        assignments(&CONFIGURED, "  ")
    )
}

/// `count` instances of `terraform_data` whose input holds the configured values and `planned`.
fn terraform_data_config(instances: usize, preamble: &str, planned: &[(&str, &str)]) -> String {
    let input: Vec<(&str, &str)> = CONFIGURED.iter().chain(planned).copied().collect();
    format!(
        "{preamble}resource \"terraform_data\" \"bench\" {{\n  count = {instances}\n  input = {{\n{}  }}\n}}\n",
        assignments(&input, "    ")
    )
}

/// The floor the target is measured against: an input object that plans what our resource plans,
/// attribute for attribute.
fn same_plan_config(instances: usize) -> String {
    terraform_data_config(instances, "locals {\n  later = timestamp()\n}\n", &PLANNED)
}

/// The same attributes, but `finalize = true` as configured and every other one null.
fn same_attributes_config() -> String {
    let planned: Vec<(&str, &str)> = PLANNED
        .iter()
        .map(|&(name, value)| (name, if name == "finalize" { value } else { "null" }))
        .collect();
    terraform_data_config(INSTANCES, "", &planned)
}

fn configured_values_config() -> String {
    terraform_data_config(INSTANCES, "", &[])
}

fn median_duration(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Lower quartile, median and upper quartile.
fn quartiles(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |fraction: f64| sorted[((sorted.len() - 1) as f64 * fraction).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

fn write_config(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("main.tf"), text).unwrap();
}

/// Runs terraform and returns its wall time, CPU time (its own and its children's) and stderr.
fn run_terraform(
    dir: &Path,
    cli_config: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Sample, String) {
    let cpu_before = children_cpu();
    let started = Instant::now();
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
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    assert!(
        output.status.success(),
        "terraform {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (
        Sample { wall, cpu },
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const PLAN: &[&str] = &[
    "plan",
    "-input=false",
    "-no-color",
    "-lock=false",
    "-refresh=false",
];

fn plan(dir: &Path, cli_config: &Path) -> Sample {
    run_terraform(dir, cli_config, PLAN, &[]).0
}

/// CPU used so far by every child process this bench has waited for, and their descendants.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes into the struct we pass, which is plain old data.
    let usage = unsafe {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        assert_eq!(
            libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()),
            0
        );
        usage.assume_init()
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

struct ProviderUsage {
    processes: usize,
    provider_cpu: Duration,
    total_cpu: Duration,
    peak_rss_kib: u64,
}

/// One more plan of ours with the provider's info log on, summing what each plugin process says
/// it used as it exits (`terraform-provider-okta-msp exiting: cpu_user_ms=… cpu_system_ms=…`).
fn provider_usage(dir: &Path, cli_config: &Path) -> Option<ProviderUsage> {
    let (sample, stderr) = run_terraform(dir, cli_config, PLAN, &[("TF_LOG_PROVIDER", "info")]);
    let field = |line: &str, name: &str| -> Option<u64> {
        let start = line.find(&format!("{name}="))? + name.len() + 1;
        line[start..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    let mut usage = ProviderUsage {
        processes: 0,
        provider_cpu: Duration::ZERO,
        total_cpu: sample.cpu,
        peak_rss_kib: 0,
    };
    for line in stderr
        .lines()
        .filter(|line| line.contains("terraform-provider-okta-msp exiting"))
    {
        usage.processes += 1;
        let millis = field(line, "cpu_user_ms")? + field(line, "cpu_system_ms")?;
        usage.provider_cpu += Duration::from_millis(millis);
        usage.peak_rss_kib = usage
            .peak_rss_kib
            .max(field(line, "peak_rss_kib").unwrap_or(0));
    }
    (usage.processes > 0).then_some(usage)
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

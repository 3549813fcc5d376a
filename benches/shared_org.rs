//! `make bench`: two workspaces on one org (issue 29). Two `terraform apply`s of 20 new
//! `ad_agent` accounts each, started together against one new org on okta-emulator at Okta's
//! limits scaled 0.1 with Okta's default per-credential share (half of each bucket), in two
//! set-ups:
//!
//! - **one token**: both workspaces use the same API token, so their two limiters draw on one
//!   share without knowing of each other: 429s are served, and must be absorbed (waited out from
//!   `X-Rate-Limit-Reset`) with no error;
//! - **two tokens**: each workspace has its own token (the second made as an admin would in the
//!   Admin Console), so each limiter plans against its own half, as `X-Rate-Limit-Limit` states.
//!
//! Both applies must succeed, and the accounts must all be in the org. Reported: the wall time
//! of each apply, the calls of the `/api/v1/users` bucket against the share and the whole
//! bucket, and the 429s the emulator served (every one absorbed, since both applies succeed).
//! `cargo bench --bench shared_org` (release); `SHARED_ORG_ONLY=one` or `two` runs one set-up.

mod common;
#[path = "common/emulator.rs"]
mod emulator;

use emulator::start_emulator;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const ACCOUNTS: usize = 20;
const SCALE: &str = "0.1";
const TOKEN: &str = "shared-org-token";

fn main() {
    let only = std::env::var("SHARED_ORG_ONLY").unwrap_or_default();
    let mut rows = Vec::new();
    for (label, own_tokens) in [("one token", false), ("two tokens", true)] {
        if only.is_empty() || label.starts_with(&only) {
            let row = run(own_tokens);
            eprintln!("{label}: {}", row.line());
            rows.push((label, row));
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\ntwo workspaces x {ACCOUNTS} accounts on one org, limits x{SCALE}, {} build; load average at the end: {}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "| credentials | apply A | apply B | both succeeded | /api/v1/users calls | share / bucket a minute | 429s served (all absorbed) |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|");
    for (label, row) in rows {
        println!("| {label} | {}", row.line());
    }
}

impl Row {
    /// The table row after its first cell.
    fn line(&self) -> String {
        format!(
            "{:.1} s | {:.1} s | {} | {} | {} / {} | {} |",
            self.walls[0].as_secs_f64(),
            self.walls[1].as_secs_f64(),
            if self.succeeded { "yes" } else { "NO" },
            self.users_calls,
            self.share,
            self.limit,
            self.served_429
        )
    }
}

struct Row {
    walls: [Duration; 2],
    succeeded: bool,
    users_calls: u64,
    share: u64,
    limit: u64,
    served_429: u64,
}

fn run(own_tokens: bool) -> Row {
    let scratch = tempfile::tempdir().unwrap();
    let cli_config = common::install_mirror(
        scratch.path(),
        env!("CARGO_BIN_EXE_terraform-provider-okta-msp"),
    );
    let emulator = start_emulator(&[
        "--org",
        &format!("acme:{TOKEN}"),
        "--rate-limit-scale",
        SCALE,
    ]);
    let http = Http::new();
    let org_url = format!("{}/acme", emulator.url);
    let second_token = if own_tokens {
        // A second administrator, whose token workspace B uses.
        let admin = http.call(
            "POST",
            &format!("{org_url}/api/v1/users?activate=true"),
            &format!("SSWS {TOKEN}"),
            Some(serde_json::json!({
                "profile": {"login": "pipeline-b@msp.example", "email": "pipeline-b@msp.example",
                            "firstName": "Pipeline", "lastName": "B"},
                "credentials": {"password": {"value": "Correct-Horse-Battery-Staple-42!"}}
            })),
        );
        let admin = admin["id"].as_str().unwrap().to_owned();
        http.call(
            "POST",
            &format!("{org_url}/api/v1/users/{admin}/roles"),
            &format!("SSWS {TOKEN}"),
            Some(serde_json::json!({"type": "SUPER_ADMIN"})),
        );
        let made = http.call(
            "POST",
            &format!(
                "{}/_emulator/orgs/acme/users/{admin}/api-tokens",
                emulator.url
            ),
            &format!("Bearer {}", emulator.admin_token),
            Some(serde_json::json!({"name": "workspace B"})),
        );
        made["token"].as_str().unwrap().to_owned()
    } else {
        TOKEN.to_owned()
    };
    let workspaces: Vec<_> = [("a", TOKEN.to_owned()), ("b", second_token)]
        .into_iter()
        .map(|(name, token)| {
            let dir = scratch.path().join(name);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("main.tf"), config(&org_url, &token, name)).unwrap();
            let init = terraform(&dir, &cli_config, &["init", "-input=false"])
                .output()
                .unwrap();
            assert!(init.status.success(), "init");
            dir
        })
        .collect();

    let started = Instant::now();
    let mut running: Vec<_> = workspaces
        .iter()
        .map(|dir| {
            terraform(
                dir,
                &cli_config,
                &["apply", "-auto-approve", "-input=false", "-no-color"],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut walls = [Duration::ZERO; 2];
    let mut succeeded = true;
    // Both run to the end; each is waited for in turn and timed from the common start.
    let mut done = [false; 2];
    while done.iter().any(|d| !d) {
        for (index, child) in running.iter_mut().enumerate() {
            if !done[index]
                && let Some(status) = child.try_wait().unwrap()
            {
                done[index] = true;
                walls[index] = started.elapsed();
                if !status.success() {
                    succeeded = false;
                    let mut text = String::new();
                    use std::io::Read as _;
                    child
                        .stdout
                        .take()
                        .unwrap()
                        .read_to_string(&mut text)
                        .unwrap();
                    eprintln!("apply {index} failed:\n{text}");
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let control = |path: &str| {
        http.call(
            "GET",
            &format!("{}/_emulator/{path}", emulator.url),
            &format!("Bearer {}", emulator.admin_token),
            None,
        )
    };
    let stats = control("stats");
    let limits = control("rate-limits");
    let bucket = limits["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|bucket| bucket["bucket"] == "/api/v1/users")
        .expect("the users bucket")
        .clone();
    let routes: Vec<(String, String)> = bucket["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_owned(),
                r["template"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let users_calls = stats["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["org"] == "acme")
        .filter(|r| {
            routes.iter().any(|(method, template)| {
                r["method"].as_str() == Some(method) && r["route"].as_str() == Some(template)
            })
        })
        .map(|r| r["count"].as_u64().unwrap_or(0))
        .sum();
    // Read by login (exact; the `/api/v1/users/{id}` bucket, which the applies hardly used).
    let found = ["a", "b"]
        .iter()
        .flat_map(|workspace| {
            (0..ACCOUNTS).map(move |n| format!("agent-{workspace}{n}%40msp.example"))
        })
        .filter(|login| {
            http.call(
                "GET",
                &format!("{org_url}/api/v1/users/{login}"),
                &format!("SSWS {TOKEN}"),
                None,
            )["profile"]["userType"]
                .as_str()
                .is_some_and(|mark| mark.ends_with("/finalized"))
        })
        .count();
    if found != 2 * ACCOUNTS {
        succeeded = false;
        eprintln!("{found} accounts in the org, {} expected", 2 * ACCOUNTS);
    }

    Row {
        walls,
        succeeded,
        users_calls,
        share: bucket["share_per_minute"].as_u64().unwrap_or(0),
        limit: bucket["limit_per_minute"].as_u64().unwrap_or(0),
        served_429: stats["rate_limited"].as_u64().unwrap_or(0),
    }
}

fn config(org_url: &str, token: &str, workspace: &str) -> String {
    let mut text = format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  org_tokens = {{ \"{org_url}\" = \"{token}\" }}\n}}\n"
    );
    for n in 0..ACCOUNTS {
        text.push_str(&format!(
            "resource \"okta_msp_service_account\" \"agent_{n}\" {{\n  org_url = \"{org_url}\"\n  kind    = \"ad_agent\"\n  login   = \"agent-{workspace}{n}@msp.example\"\n  email   = \"agent-{workspace}{n}@msp.example\"\n}}\n"
        ));
    }
    text
}

fn terraform(dir: &Path, cli_config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("terraform");
    command
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER");
    command
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
            // No connection kept between calls: minutes pass between them while the applies
            // run, and the emulator closes idle connections.
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
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

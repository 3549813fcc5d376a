use std::process::Command;

use super::support::{Emulator, binary};

#[test]
fn emulator_help_documents_every_flag() {
    let output = Command::new(binary()).arg("--help").output().expect("runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--listen",
        "--allow-non-loopback",
        "--partner-token",
        "--admin-token",
        "--data",
        "--rate-limit-scale",
        "--max-body-bytes",
        "--header-read-timeout",
        "--body-read-timeout",
        "--max-connections",
        "--concurrency-limit",
        "--log-level",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn emulator_refuses_non_loopback_listen_without_opt_in() {
    let output = Command::new(binary())
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "no ready line when refusing");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--allow-non-loopback"));
}

/// Ordinary start-up errors read as one line, without a backtrace, even with RUST_BACKTRACE set
/// (as CI systems often do).
#[test]
fn start_up_errors_are_one_line_without_a_backtrace() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("hold a port");
    let address = taken.local_addr().expect("its address").to_string();
    for args in [
        vec!["--listen", "0.0.0.0:0"],
        vec!["--listen", address.as_str()],
    ] {
        let output = Command::new(binary())
            .args(&args)
            .env("RUST_BACKTRACE", "1")
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("backtrace"), "{args:?}: {stderr}");
        assert!(stderr.starts_with("okta-emulator: "), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    }
    drop(taken);
}

#[test]
fn emulator_prints_exactly_one_json_ready_line() {
    let emulator = Emulator::start();
    assert!(emulator.url.starts_with("http://127.0.0.1:"));
    assert_eq!(emulator.partner_url, format!("{}/partner", emulator.url));
    assert_eq!(emulator.partner_token, super::support::PARTNER_TOKEN);
    assert_eq!(emulator.admin_token, super::support::ADMIN_TOKEN);
}

#[tokio::test]
async fn emulator_shuts_down_cleanly_on_sigterm() {
    let mut emulator = Emulator::start();
    let health = emulator
        .control(reqwest::Method::GET, "/health", None)
        .await;
    assert_eq!(health.status, 200);
    let status = emulator.terminate();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn emulator_refuses_absurd_timeouts_and_connection_caps() {
    for (flag, value) in [
        ("--header-read-timeout", "0"),
        ("--header-read-timeout", "-1"),
        ("--header-read-timeout", "NaN"),
        ("--body-read-timeout", "1e300"),
        ("--body-read-timeout", "3601"),
        ("--max-connections", "0"),
    ] {
        let output = Command::new(binary())
            .args(["--listen", "127.0.0.1:0", &format!("{flag}={value}")])
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{flag} {value} was accepted");
        assert!(output.stdout.is_empty(), "no ready line when refusing");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(flag),
            "{flag} {value}: the error names the flag"
        );
    }
}

/// `reset` returns to the initial state, which includes the orgs seeded with `--org`: a module's
/// CI resets between suites and keeps its org and token.
#[tokio::test]
async fn reset_keeps_the_orgs_seeded_on_the_command_line() {
    let emulator = super::support::Emulator::start_with(&["--org", "acme:seeded-org-token"]);
    let acme = format!("{}/acme", emulator.url);
    let created = emulator
        .post(
            &format!("{acme}/api/v1/users?activate=false"),
            "seeded-org-token",
            super::support::user_request("someone@acme.example", None),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let other = emulator.create_org("other").await;

    let reset = emulator
        .control(reqwest::Method::POST, "/reset", None)
        .await;
    assert_eq!(reset.status, 200, "{:?}", reset.body);

    let users = emulator
        .get(&format!("{acme}/api/v1/users"), "seeded-org-token")
        .await;
    assert_eq!(
        users.status, 200,
        "the seeded org and its token survive: {:?}",
        users.body
    );
    let logins: Vec<&str> = users
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|user| user["profile"]["login"].as_str())
        .collect();
    assert_eq!(
        logins,
        ["admin@acme.example.com"],
        "only the seeded admin is left"
    );
    let gone = emulator
        .get(&format!("{}/api/v1/users", other.url), &other.token)
        .await;
    assert_eq!(
        gone.status, 404,
        "an org made after the start is gone: {:?}",
        gone.body
    );
}

#[test]
fn emulator_refuses_an_unknown_engine() {
    for engine in ["OIE", "identity", ""] {
        let output = Command::new(binary())
            .args(["--listen", "127.0.0.1:0", "--engine", engine])
            .output()
            .expect("runs");
        assert!(!output.status.success(), "--engine {engine:?}");
        assert!(output.stdout.is_empty(), "no ready line when refusing");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("oie") && stderr.contains("classic"),
            "the error names the engines: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

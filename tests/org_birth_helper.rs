//! The org's birth helper process (issue 25) through its own pipes: the provider binary run with
//! `__org-birth`, as a create with a fleet key runs it, against the real emulator. Bad input on
//! stdin is refused with a clear sentence and exit code 2 (no panic, no secret quoted); a whole
//! birth reports the org's creation and its app's registration on stdout while its logs, at the
//! most verbose level, hold no secret; a parent that goes away (stdin closed, stdout and stderr
//! broken) does not stop it; and an `"abandon"` line stops it before the registration.

use std::io::{Read as _, Write as _};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::oauth_client::EC_PRIVATE_JWK;
use crate::support::emulator::{Api, Emulator};
use crate::support::plugin_client::provider_binary;

const PASSWORD: &str = "Birth-Helper-Password-8h2k!x";

/// The helper, its logs at the most verbose level.
fn helper() -> Child {
    Command::new(provider_binary())
        .arg("__org-birth")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .env("TF_LOG_PROVIDER_OKTA_MSP", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the provider binary starts")
}

/// Waits for `child` to end by itself (bounded), killing it if it does not.
fn ended(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the helper did not end by itself within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Feeds `input` to a helper and answers its exit code, stdout and stderr.
fn refused(input: &[u8]) -> (Option<i32>, String, String) {
    let mut child = helper();
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(input);
    drop(stdin);
    let status = ended(&mut child, Duration::from_secs(30));
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code(), stdout, stderr)
}

#[test]
fn the_org_birth_helper_refuses_a_bad_order_with_a_clear_error_and_exit_code_2() {
    let wrong_type = format!(
        r#"{{"config":"{{}}","subdomain":"x","name":"x","website":null,"admin_profile":{{}},"admin_password":"{PASSWORD}","expected_url":null,"wait_seconds":"{PASSWORD}"}}"#
    );
    let cases: [(&[u8], &str); 5] = [
        (b"", "no order on stdin"),
        (b"not json at all\n", "the order on stdin is not JSON"),
        (wrong_type.as_bytes(), "is JSON, but not an order"),
        (
            br#"{"config":"[1,2]","subdomain":"x","name":"x","website":null,"admin_profile":{},"admin_password":null,"expected_url":null,"wait_seconds":0}"#,
            "is not the provider block's JSON",
        ),
        (
            br#"{"config":"{\"partner_url\":\"http://127.0.0.1:9/partner\",\"partner_token\":\"tok\"}","subdomain":"x","name":"x","website":null,"admin_profile":{},"admin_password":null,"expected_url":null,"wait_seconds":0}"#,
            "has no fleet key",
        ),
    ];
    for (input, expected) in cases {
        let (code, stdout, stderr) = refused(input);
        let shown = String::from_utf8_lossy(input);
        assert_eq!(code, Some(2), "{shown}: {stderr}");
        assert!(stderr.contains(expected), "{shown}: {stderr}");
        assert!(!stderr.contains("panicked"), "{shown}: {stderr}");
        assert!(!stderr.contains(PASSWORD), "a secret quoted: {stderr}");
        assert!(stdout.is_empty(), "{shown}: no report: {stdout}");
    }
}

/// The order for the org `subdomain` made through the emulator's partner org, the fleet key in
/// `key_file`.
fn order(emulator: &Emulator, subdomain: &str, key_file: &std::path::Path, wait: u64) -> String {
    let config = serde_json::json!({
        "partner_url": emulator.partner_url,
        "partner_token": emulator.partner_token,
        "fleet_key_file": key_file.to_str().unwrap(),
    });
    let order = serde_json::json!({
        "config": config.to_string(),
        "subdomain": subdomain,
        "name": format!("Helper {subdomain}"),
        "website": null,
        "admin_profile": {
            "login": format!("msp-integration@{subdomain}.example"),
            "email": format!("msp-integration@{subdomain}.example"),
            "firstName": "MSP", "lastName": "Integration",
        },
        "admin_password": PASSWORD,
        "expected_url": format!("{}/{subdomain}", emulator.url),
        "wait_seconds": wait,
    });
    format!("{order}\n")
}

fn key_file() -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(EC_PRIVATE_JWK.as_bytes()).unwrap();
    file
}

/// The reports on the helper's stdout, one JSON object (or string) per line.
fn reports(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

#[test]
fn the_org_birth_helper_reports_the_org_and_its_app_and_logs_no_secret() {
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let key = key_file();
    let subdomain = "helper-whole";
    let mut child = helper();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(order(&emulator, subdomain, key.path(), 0).as_bytes())
        .unwrap();
    // The end of stdin is a parent gone, never an abandon: the birth goes on.
    drop(stdin);
    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        err.read_to_string(&mut stderr).unwrap();
        stderr
    });
    out.read_to_string(&mut stdout).unwrap();
    let stderr = logs.join().unwrap();
    let status = ended(&mut child, Duration::from_secs(60));
    assert_eq!(status.code(), Some(0), "{stderr}");
    let reports = reports(&stdout);
    let kinds: Vec<String> = reports
        .iter()
        .map(|r| match r {
            serde_json::Value::String(kind) => kind.clone(),
            other => other.as_object().unwrap().keys().next().unwrap().clone(),
        })
        .collect();
    assert_eq!(kinds, ["created", "registering", "registered"], "{stdout}");
    let token = reports[0]["created"]["token"].as_str().unwrap().to_owned();
    assert!(!token.is_empty());
    assert_eq!(
        reports[2]["registered"]["client_id"],
        format!("okta-msp-fleet-{subdomain}")
    );
    // The birth revoked the org's token once the app worked.
    let (revoked, _) =
        Api::new(&format!("{}/{subdomain}", emulator.url), &token).send("GET", "/api/v1/org", None);
    assert_eq!(revoked, 401, "the token was revoked");
    assert!(
        stderr.lines().count() > 5,
        "the logs are on stderr: {stderr}"
    );
    let jwk: serde_json::Value = serde_json::from_str(EC_PRIVATE_JWK).unwrap();
    for (name, secret) in [
        ("the org's token", token.as_str()),
        ("the partner token", emulator.partner_token.as_str()),
        ("the admin's password", PASSWORD),
        ("the fleet key", jwk["d"].as_str().unwrap()),
    ] {
        assert!(!stderr.contains(secret), "{name} in the helper's logs");
    }
}

#[test]
fn the_org_birth_helper_finishes_when_its_parent_s_pipes_break_and_stops_when_abandoned() {
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let key = key_file();

    // Every pipe to its parent closed at once: it reports into the void and finishes the app.
    let orphan = "helper-orphan";
    let mut child = helper();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(order(&emulator, orphan, key.path(), 0).as_bytes())
        .unwrap();
    drop(stdin);
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = ended(&mut child, Duration::from_secs(60));
    assert_eq!(status.code(), Some(0), "no panic on a broken pipe");
    let (code, apps) = emulator.control("GET", &format!("/orgs/{orphan}/service-apps"), None);
    assert_eq!(code, 200, "{apps}");
    assert!(
        apps.as_array().unwrap().iter().any(|app| {
            app["client_id"] == format!("okta-msp-fleet-{orphan}")
                && app["scopes"]
                    .as_array()
                    .is_some_and(|scopes| scopes.iter().any(|s| s == "okta.appGrants.manage"))
        }),
        "the org's app was registered: {apps}"
    );

    // Abandoned during Okta's wait: the org's token is the parent's to keep, untouched.
    let abandoned = "helper-abandoned";
    let mut child = helper();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(order(&emulator, abandoned, key.path(), 300).as_bytes())
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut out, &mut first).unwrap();
    let created: serde_json::Value = serde_json::from_str(&first).unwrap();
    let token = created["created"]["token"].as_str().unwrap().to_owned();
    stdin.write_all(b"\"abandon\"\n").unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let status = ended(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(0));
    assert_eq!(reports(&rest), [serde_json::json!("abandoned")], "{rest}");
    let org = Api::new(&format!("{}/{abandoned}", emulator.url), &token).get("/api/v1/org");
    assert_eq!(org["id"], created["created"]["id"], "the token still works");
    let (code, apps) = emulator.control("GET", &format!("/orgs/{abandoned}/service-apps"), None);
    assert_eq!(code, 200, "{apps}");
    assert!(
        !apps
            .as_array()
            .unwrap()
            .iter()
            .any(|app| app["client_id"] == format!("okta-msp-fleet-{abandoned}")),
        "no app was registered: {apps}"
    );
}

//! The layering rules of ARCHITECTURE.md, checked by reading the sources (one crate cannot let the
//! compiler hold these lines).

use std::path::{Path, PathBuf};

fn sources_under(dir: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(path) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path, text));
            }
        }
    }
    found
}

/// Lines of code, without comments, so prose may name what code may not use.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.trim()))
        .filter(|(_, line)| !line.starts_with("//"))
}

#[track_caller]
fn assert_absent(dir: &str, forbidden: &[&str], why: &str) {
    let mut violations = Vec::new();
    for (path, text) in sources_under(dir) {
        for (number, line) in code_lines(&text) {
            for needle in forbidden {
                if line.contains(needle) {
                    violations.push(format!("{}:{number}: {line}", path.display()));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{why}:\n{}", violations.join("\n"));
}

#[test]
fn plugin_layer_knows_nothing_about_okta() {
    assert_absent(
        "plugin",
        &[
            "crate::provider",
            "crate::rules",
            "crate::okta",
            "crate::emulator",
        ],
        "src/plugin must not depend on the provider, the rules, the Okta client or the emulator",
    );
}

#[test]
fn rules_are_pure() {
    assert_absent(
        "rules",
        &[
            "tokio",
            "reqwest",
            "std::fs",
            "std::net",
            "std::time::SystemTime",
            "Instant::now",
            "OffsetDateTime::now",
            "rand::",
            "crate::plugin",
            "crate::okta",
            "crate::provider",
        ],
        "src/rules must do no I/O, read no clock and draw no randomness",
    );
}

#[test]
fn okta_client_knows_nothing_about_terraform() {
    assert_absent(
        "okta",
        &["crate::plugin", "crate::provider", "crate::emulator"],
        "src/okta must not depend on Terraform types or the emulator",
    );
}

#[test]
fn emulator_does_not_share_the_clients_idea_of_okta() {
    assert_absent(
        "emulator",
        &[
            "crate::okta",
            "crate::plugin",
            "crate::provider",
            "crate::rules",
        ],
        "src/emulator must have its own wire types",
    );
}

#[test]
fn only_diag_makes_diagnostics_in_the_provider_layer() {
    let mut violations = Vec::new();
    for (path, text) in sources_under("provider") {
        if path.ends_with("diag.rs") {
            continue;
        }
        for (number, line) in code_lines(&text) {
            if line.contains("Diagnostic::error(") || line.contains("Diagnostic::warning(") {
                violations.push(format!("{}:{number}: {line}", path.display()));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "provider errors become diagnostics only in provider/diag.rs:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_provider_binary_never_prints_to_stdout_outside_the_handshake() {
    let allowed = ["run.rs", "main.rs"];
    let mut violations = Vec::new();
    for dir in ["plugin", "provider", "rules", "okta"] {
        for (path, text) in sources_under(dir) {
            if allowed.iter().any(|name| path.ends_with(name)) {
                continue;
            }
            for (number, line) in code_lines(&text) {
                if line.contains("println!") || line.contains("std::io::stdout") {
                    violations.push(format!("{}:{number}: {line}", path.display()));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "stdout belongs to the handshake line:\n{}",
        violations.join("\n")
    );
}

#[test]
fn emulator_store_knows_nothing_about_http() {
    assert_absent(
        "emulator/store",
        &[
            "crate::emulator::handlers",
            "crate::emulator::routes",
            "crate::emulator::app",
            "axum::",
            "hyper::",
        ],
        "src/emulator/store holds Okta's rules over the state; requests and answers are the handlers' business",
    );
}

/// A file past this many lines is hard to hold in one's head; one that must be longer says why
/// in a `//! Size:` line at its top.
const EMULATOR_FILE_LINES: usize = 800;

#[test]
fn emulator_files_stay_small_or_say_why() {
    let mut violations = Vec::new();
    for (path, text) in sources_under("emulator") {
        let lines = text.lines().count();
        let explained = text
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .any(|line| line.starts_with("//! Size:"));
        if lines > EMULATOR_FILE_LINES && !explained {
            violations.push(format!("{}: {lines} lines", path.display()));
        }
    }
    assert!(
        violations.is_empty(),
        "split these by what they do, or say why not in a `//! Size:` line:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_emulators_oauth_code_logs_nothing() {
    // Access tokens, client assertions and DPoP proofs pass through these files; the emulator's
    // other logging never sees them (tests/emulator/oauth.rs checks the log at trace level).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emulator");
    let mut violations = Vec::new();
    for file in ["oauth.rs", "jose.rs", "store/service_apps.rs"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for (number, line) in code_lines(&text) {
            for needle in ["tracing::", "println!", "eprintln!", "dbg!", "log::"] {
                if line.contains(needle) {
                    violations.push(format!("src/emulator/{file}:{number}: {line}"));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "the emulator's OAuth code must not log:\n{}",
        violations.join("\n")
    );
}

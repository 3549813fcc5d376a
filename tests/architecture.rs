//! The layering rules of ARCHITECTURE.md that the compiler cannot hold. Which crate may use which
//! is the compiler's business once each crate's manifest is right, so these tests check the
//! manifests; inside a crate (the provider's `rules`, `okta` and `provider` modules, the emulator's
//! store) they read the sources.

use std::path::{Path, PathBuf};

/// The `.rs` files under `dir`, a path from the repository root (`src/rules`,
/// `crates/okta-emulator/src/store`).
fn sources_under(dir: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
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
    assert!(
        !found.is_empty(),
        "no sources under {dir}: has the layout changed?"
    );
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

/// The `[dependencies]` table of a manifest, as the names it lists.
fn dependencies_of(manifest: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(manifest)).unwrap();
    let mut in_dependencies = false;
    let mut names = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
            names.push(name.to_owned());
        }
    }
    assert!(
        !names.is_empty(),
        "{manifest} lists no dependencies: has its layout changed?"
    );
    names
}

#[test]
fn the_plugin_crate_and_the_emulator_depend_on_no_other_crate_of_the_workspace() {
    // With these two manifests clean, the compiler refuses any `use` of the provider from either.
    for manifest in [
        "crates/tfplugin6/Cargo.toml",
        "crates/okta-emulator/Cargo.toml",
    ] {
        let inward: Vec<String> = dependencies_of(manifest)
            .into_iter()
            .filter(|name| {
                ["tfplugin6", "okta-emulator", "terraform-provider-okta-msp"]
                    .contains(&name.as_str())
            })
            .collect();
        assert!(
            inward.is_empty(),
            "{manifest}: the plugin protocol and the emulator are layers of their own and depend on no other crate here: {inward:?}"
        );
    }
}

#[test]
fn the_provider_reaches_okta_only_through_its_client_never_the_emulator() {
    // A dev-dependency is fine: the tests drive the emulator.
    let dependencies = dependencies_of("Cargo.toml");
    assert!(
        !dependencies.iter().any(|name| name == "okta-emulator"),
        "the provider talks to Okta through src/okta only; okta-emulator belongs in [dev-dependencies]"
    );
    assert!(
        dependencies.iter().any(|name| name == "tfplugin6"),
        "{dependencies:?}"
    );
}

#[test]
fn rules_are_pure() {
    assert_absent(
        "src/rules",
        &[
            "tokio",
            "reqwest",
            "std::fs",
            "std::net",
            "std::time::SystemTime",
            "Instant::now",
            "OffsetDateTime::now",
            "rand::",
            "tfplugin6",
            "crate::okta",
            "crate::provider",
        ],
        "src/rules must do no I/O, read no clock and draw no randomness",
    );
}

#[test]
fn okta_client_knows_nothing_about_terraform() {
    assert_absent(
        "src/okta",
        &["tfplugin6", "crate::provider", "okta_emulator"],
        "src/okta must not depend on Terraform types or the emulator",
    );
}

#[test]
fn only_diag_makes_diagnostics_in_the_provider_layer() {
    let mut violations = Vec::new();
    for (path, text) in sources_under("src/provider") {
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
    for dir in [
        "crates/tfplugin6/src",
        "src/provider",
        "src/rules",
        "src/okta",
    ] {
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
        "crates/okta-emulator/src/store",
        &[
            "crate::handlers",
            "crate::routes",
            "crate::app",
            "axum::",
            "hyper::",
        ],
        "the emulator's store holds Okta's rules over the state; requests and answers are the handlers' business",
    );
}

/// A file past this many lines is hard to hold in one's head; one that must be longer says why
/// in a `//! Size:` line at its top.
const SOURCE_FILE_LINES: usize = 800;

#[test]
fn source_files_stay_small_or_say_why() {
    let mut violations = Vec::new();
    let every_source = ["src", "crates/tfplugin6/src", "crates/okta-emulator/src"]
        .into_iter()
        .flat_map(sources_under);
    for (path, text) in every_source {
        let lines = text.lines().count();
        let explained = text
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .any(|line| line.starts_with("//! Size:"));
        if lines > SOURCE_FILE_LINES && !explained {
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
fn rules_never_import_the_client_the_provider_or_the_protocol() {
    assert_absent(
        "src/rules",
        &[
            "crate::okta",
            "crate::provider",
            "tfplugin6",
            "okta_emulator",
        ],
        "src/rules is the domain: it decides from plain data and knows no other layer",
    );
}

#[test]
fn only_server_rs_turns_protocol_failures_into_diagnostics() {
    // `diagnostics.rs` holds the constructors; `resource.rs` the default state upgrade, which
    // refuses a state written by a newer provider.
    let allowed = [
        "server.rs",
        "server_tests.rs",
        "diagnostics.rs",
        "resource.rs",
    ];
    let mut violations = Vec::new();
    for (path, text) in sources_under("crates/tfplugin6/src") {
        if allowed.iter().any(|name| path.ends_with(name)) {
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
        "inside tfplugin6, protocol failures become diagnostics in server.rs:\n{}",
        violations.join("\n")
    );
}

/// The folders of the provider that implement one Terraform type (or, `data_sources`, the data
/// sources): they share code through `accounts` and the other shared modules, never directly.
const RESOURCE_FOLDERS: [&str; 3] = ["service_account", "org", "data_sources"];

#[test]
fn the_providers_resources_never_import_each_other() {
    let violations: Vec<String> = provider_imports()
        .into_iter()
        .filter(|import| {
            import.from != import.to
                && RESOURCE_FOLDERS.contains(&import.from.as_str())
                && RESOURCE_FOLDERS.contains(&import.to.as_str())
        })
        .map(|import| import.to_string())
        .collect();
    assert!(
        violations.is_empty(),
        "resources share code through provider/accounts (or another shared module), not with each other:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_provider_modules_import_each_other_without_a_circle() {
    let imports = provider_imports();
    let mut edges: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    for import in &imports {
        if import.from != import.to {
            edges
                .entry(import.from.clone())
                .or_default()
                .insert(import.to.clone());
        }
    }
    if let Some(circle) = find_circle(&edges) {
        let evidence: Vec<String> = circle
            .windows(2)
            .filter_map(|pair| {
                imports
                    .iter()
                    .find(|import| import.from == pair[0] && import.to == pair[1])
                    .map(|import| import.to_string())
            })
            .collect();
        panic!(
            "the provider's modules import each other in a circle: {}\n{}",
            circle.join(" -> "),
            evidence.join("\n")
        );
    }
}

#[test]
fn the_import_reader_sees_the_shapes_the_provider_uses() {
    let root = Path::new("/src/provider");
    let lines = [
        (
            "/src/provider/org/apply.rs",
            "use super::super::diag;",
            "diag",
        ),
        (
            "/src/provider/org/apply.rs",
            "use super::model::Org;",
            "org",
        ),
        (
            "/src/provider/org/mod.rs",
            "use super::{ProviderContext, diag};",
            "diag",
        ),
        (
            "/src/provider/fleet_key.rs",
            "use super::provider_config::normalize_org_url;",
            "provider_config",
        ),
        (
            "/src/provider/org/read.rs",
            "use crate::provider::accounts::Stage;",
            "accounts",
        ),
    ];
    let known = ["org", "diag", "provider_config", "accounts"];
    for (file, line, expected) in lines {
        let path = modules_of(root, Path::new(file));
        let found = referenced_modules(&path, line, &known);
        assert!(
            found.contains(&expected.to_owned()),
            "{file}: {line} -> {found:?}"
        );
    }
}

/// One import between two top-level modules of `src/provider` (`accounts`, `org`, `diag`, ...).
struct ProviderImport {
    from: String,
    to: String,
    at: String,
}

impl std::fmt::Display for ProviderImport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} -> {} ({})", self.from, self.to, self.at)
    }
}

/// Every reference from one top-level provider module to another, by `crate::provider::` path
/// or by `super::` (the root `provider/mod.rs`, which declares them all, is left out).
fn provider_imports() -> Vec<ProviderImport> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join("provider");
    let known: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let name = path.file_stem()?.to_str()?.to_owned();
            (path.is_dir() || name != "mod").then_some(name)
        })
        .collect();
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let mut imports = Vec::new();
    for (path, text) in sources_under("src/provider") {
        let modules = modules_of(&root, &path);
        let Some(from) = modules.first().cloned() else {
            continue;
        };
        for (number, line) in code_lines(&text) {
            for to in referenced_modules(&modules, line, &known) {
                imports.push(ProviderImport {
                    from: from.clone(),
                    to,
                    at: format!("{}:{number}: {line}", path.display()),
                });
            }
        }
    }
    imports
}

/// The module path of a source file below `root`: `org/apply.rs` is `["org", "apply"]`,
/// `org/mod.rs` is `["org"]`, and `mod.rs` itself is `[]`.
fn modules_of(root: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(root).unwrap_or(file);
    let mut modules: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if modules.last().is_some_and(|last| last == "mod") {
        modules.pop();
    }
    modules
}

/// The top-level provider modules a line of code in module `modules` refers to.
fn referenced_modules(modules: &[String], line: &str, known: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut push = |name: &str| {
        if known.contains(&name) && !found.iter().any(|f: &String| f == name) {
            found.push(name.to_owned());
        }
    };
    let mut rest = line;
    while let Some(index) = rest.find("crate::provider::") {
        rest = &rest[index + "crate::provider::".len()..];
        for name in first_names(rest) {
            push(name);
        }
    }
    let mut rest = line;
    while let Some(index) = rest.find("super::") {
        // The start of a path, not a `super` inside one (`a::super::` does not occur in Rust).
        let mut after = &rest[index..];
        let mut ups = 0;
        while let Some(next) = after.strip_prefix("super::") {
            ups += 1;
            after = next;
        }
        rest = after;
        if ups < modules.len() {
            push(modules[0].as_str());
        } else {
            for name in first_names(after) {
                push(name);
            }
        }
    }
    found
}

/// The first name of a path, or of each path in a `{a, b::c}` group.
fn first_names(path: &str) -> Vec<&str> {
    fn ident(text: &str) -> &str {
        let end = text
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        &text[..end]
    }
    match path.strip_prefix('{') {
        Some(group) => {
            let group = group.split('}').next().unwrap_or_default();
            group.split(',').map(|item| ident(item.trim())).collect()
        }
        None => vec![ident(path)],
    }
}

/// A circle in a directed graph, as the names along it (first and last the same), if any.
fn find_circle(
    edges: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut circle = path[start..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    for node in edges.keys() {
        if let Some(circle) = visit(node, edges, &mut Vec::new(), &mut done) {
            return Some(circle);
        }
    }
    None
}

#[test]
fn the_emulators_oauth_code_logs_nothing() {
    // Access tokens, client assertions and DPoP proofs pass through these files; the emulator's
    // other logging never sees them (tests/emulator/oauth.rs checks the log at trace level).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/okta-emulator/src");
    let mut violations = Vec::new();
    for file in [
        "oauth.rs",
        "jose.rs",
        "store/apps/mod.rs",
        "store/apps/service.rs",
        "store/apps/client_keys.rs",
        "store/apps/grants.rs",
        "store/apps/client_roles.rs",
        "handlers/apps/mod.rs",
        "handlers/apps/jwks.rs",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for (number, line) in code_lines(&text) {
            for needle in ["tracing::", "println!", "eprintln!", "dbg!", "log::"] {
                if line.contains(needle) {
                    violations.push(format!("crates/okta-emulator/src/{file}:{number}: {line}"));
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

//! Creates under injected faults (emulator `faults`): 5xx answers, dropped connections and a
//! storm of 429s end in exactly one account per resource, correctly set up, after at most one
//! re-run of apply.

use crate::support::emulator::{Api, Emulator};
use crate::support::terraform::{Workspace, terraform_available};

const ORG_TOKEN: &str = "fault-test-token";

fn workspace_for(emulator: &Emulator) -> (Workspace, String) {
    let org_url = format!("{}/acme", emulator.url);
    let workspace = Workspace::new();
    let mut config = format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  org_tokens = {{ \"{org_url}\" = \"{ORG_TOKEN}\" }}\n  max_retries = 6\n}}\n"
    );
    for name in ["one", "two", "three"] {
        config.push_str(&format!(
            "resource \"okta_msp_service_account\" \"{name}\" {{\n  org_url = \"{org_url}\"\n  kind    = \"radius\"\n  login   = \"radius-{name}@msp.example\"\n  email   = \"radius-{name}@msp.example\"\n}}\n"
        ));
    }
    workspace.write("main.tf", &config);
    workspace.init();
    (workspace, org_url)
}

/// Applies, and once more if the first apply failed; the second must succeed.
fn apply_with_one_rerun(workspace: &Workspace) -> bool {
    let first = workspace.apply();
    if first.success {
        return false;
    }
    workspace.apply().assert_success("the re-run of apply");
    true
}

fn assert_exactly_one_correct_account_each(api: &Api) {
    for name in ["one", "two", "three"] {
        let login = format!("radius-{name}@msp.example");
        let users = api.get(&format!(
            "/api/v1/users?search=profile.login%20eq%20%22{}%22",
            login.replace('@', "%40")
        ));
        let users = users.as_array().unwrap();
        assert_eq!(users.len(), 1, "exactly one account for {login}: {users:?}");
        let user = &users[0];
        assert_eq!(user["status"], "ACTIVE");
        assert_eq!(
            user["profile"]["userType"],
            "okta-msp-service-account/radius/finalized"
        );
        assert_eq!(
            api.role_types(user["id"].as_str().unwrap()),
            vec!["APP_ADMIN", "READ_ONLY_ADMIN"]
        );
    }
}

#[test]
fn server_errors_and_dropped_connections_during_create_make_no_duplicates() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--org", &format!("acme:{ORG_TOKEN}")]);
    let (workspace, org_url) = workspace_for(&emulator);
    emulator.add_fault(serde_json::json!({
        "kind": "error", "statuses": [500, 503], "org": "acme", "probability": 0.5, "times": 8
    }));
    emulator.add_fault(serde_json::json!({
        "kind": "drop", "org": "acme", "route": "/api/v1/users", "method": "POST", "times": 2
    }));
    apply_with_one_rerun(&workspace);
    let (_, stats) = emulator.control("GET", "/stats", None);
    assert!(
        stats["faults_injected_total"].as_u64().unwrap_or(0) >= 2,
        "faults happened: {stats}"
    );
    assert_exactly_one_correct_account_each(&Api::new(&org_url, ORG_TOKEN));
}

#[test]
fn a_storm_of_429s_is_absorbed_without_errors() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--org", &format!("acme:{ORG_TOKEN}")]);
    let (workspace, org_url) = workspace_for(&emulator);
    emulator.add_fault(serde_json::json!({ "kind": "rate_limit", "org": "acme", "times": 12 }));
    let rerun = apply_with_one_rerun(&workspace);
    assert!(
        !rerun,
        "429s are waited out inside the provider: the first apply succeeds"
    );
    let (_, stats) = emulator.control("GET", "/stats", None);
    assert!(stats["rate_limited"].as_u64().unwrap_or(0) >= 12, "{stats}");
    assert_exactly_one_correct_account_each(&Api::new(&org_url, ORG_TOKEN));
}

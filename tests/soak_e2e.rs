//! The soak test of issue 11: three customer orgs created through the partner org, ten service
//! accounts in each, applied through the real CLI while okta-emulator fails requests before and
//! after committing them. The promise: at most two applies converge, with exactly one Okta
//! account per resource, the ids of the first apply kept, no org made twice, and every account
//! finalized with exactly its kind's roles.
//!
//! The faults (random; `okta-emulator` faults, see docs/emulator.md):
//! - 10% of all requests, partner org included, answer 500, 502 or 503 before doing anything;
//! - 5% of the customer orgs' requests are committed and their answer dropped. Not on the
//!   partner org: a lost answer to an org's creation loses the org's only API token, a
//!   documented manual step that the kill test follows (tests/kill_e2e.rs);
//! - a storm of 429s in each customer org (15 answers, half of all requests until used up).
//!
//! What the applies cost is printed (requests, faults, wall time) for docs/benchmarks.md.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::json;

use crate::support::emulator::Emulator;
use crate::support::fleet::{AccountSpec, Fleet};
use crate::support::terraform::{Workspace, terraform_available};

const ACCOUNTS: [AccountSpec; 10] = [
    ("ad1", "ad_agent", &["SUPER_ADMIN"]),
    ("ad2", "ad_agent", &["SUPER_ADMIN"]),
    ("ad3", "ad_agent", &["SUPER_ADMIN"]),
    ("radius1", "radius", &["APP_ADMIN", "READ_ONLY_ADMIN"]),
    ("radius2", "radius", &["APP_ADMIN", "READ_ONLY_ADMIN"]),
    ("radius3", "radius", &["APP_ADMIN", "READ_ONLY_ADMIN"]),
    ("radius4", "radius", &["APP_ADMIN", "READ_ONLY_ADMIN"]),
    ("sync1", "custom", &["READ_ONLY_ADMIN"]),
    ("sync2", "custom", &["READ_ONLY_ADMIN"]),
    ("sync3", "custom", &["READ_ONLY_ADMIN"]),
];

fn add_faults(emulator: &Emulator, customers: &[&str]) {
    emulator.add_fault(json!({"kind": "error", "statuses": [500, 502, 503], "probability": 0.1}));
    for customer in customers {
        emulator.add_fault(json!({
            "kind": "drop_after_commit", "org": customer, "probability": 0.05
        }));
        emulator.add_fault(json!({
            "kind": "rate_limit", "org": customer, "probability": 0.5, "times": 15
        }));
    }
}

#[test]
fn three_orgs_of_ten_accounts_converge_in_two_applies_under_faults() {
    if !terraform_available() {
        return;
    }
    let fleet = Fleet {
        customers: vec!["soak-a", "soak-b", "soak-c"],
        accounts: ACCOUNTS.to_vec(),
    };
    let emulator = Emulator::start();
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    workspace.write("main.tf", &fleet.resources());
    workspace.write("provider.tf", "provider \"okta\" {\n  max_retries = 8\n}\n");
    workspace.init();
    add_faults(&emulator, &fleet.customers);

    let started = Instant::now();
    let first = workspace.apply();
    let ids_after_first = Fleet::account_ids(&workspace);
    let mut applies = 1;
    if !first.success {
        eprintln!("soak: the first apply failed:\n{}", first.stderr);
        applies += 1;
        workspace.apply().assert_success(&format!(
            "the second apply (the first failed with:\n{})",
            first.stderr
        ));
    }
    let wall = started.elapsed();
    let (_, stats) = emulator.control("GET", "/stats", None);

    // With the faults gone, Okta holds exactly what the configuration declares.
    emulator.control("DELETE", "/faults", None);
    let ids = fleet.assert_converged(&emulator, &workspace, &BTreeMap::new());
    for (address, id) in &ids_after_first {
        assert_eq!(
            ids.get(address),
            Some(id),
            "{address} keeps the id the first apply recorded"
        );
    }
    let injected = &stats["faults_injected"];
    for kind in ["error", "drop_after_commit", "rate_limit"] {
        assert!(
            injected[kind].as_u64().unwrap_or(0) > 0,
            "the soak injected {kind}: {stats}"
        );
    }
    eprintln!(
        "soak: {applies} applies, {:.1} s, {} requests, faults {injected}, 429s served {}",
        wall.as_secs_f64(),
        stats["requests_total"],
        stats["rate_limited"]
    );
}

//! Scheduled drift checks read `terraform plan -refresh-only -detailed-exitcode`: on an
//! unchanged fleet it must exit 0 (no changes), not 2, and a refresh that finds nothing changed
//! leaves state and private data byte-for-byte as they were.

use crate::support::scenario::{Scenario, account};
use crate::support::terraform::{Cli, terraform_115_available};

#[test]
fn a_refresh_only_plan_of_an_unchanged_fleet_exits_zero_and_changes_no_byte_of_state() {
    if !terraform_115_available() {
        return;
    }
    let body = [
        account("ad", "ad_agent", "oktaadagent@refresh.example", ""),
        account("radius", "radius", "oktaradius@refresh.example", ""),
    ]
    .concat();
    // On Terraform 1.15 (refresh_drift_e2e.rs holds both versions over twenty plans): the
    // provider's part is that nothing it returns changes. Each resource has at most one
    // sensitive attribute, so Terraform 1.11's random order of sensitive paths in state
    // (Terraform issue 36403) has nothing to reorder.
    let scenario = Scenario::applied_on("refresh", &body, Cli::Libterraform115);
    let state_file = scenario.workspace.dir().join("terraform.tfstate");
    // Right after the apply (inside the System Log's lag window, when roles are read directly)
    // and again later.
    for round in 0..2 {
        let before = std::fs::read(&state_file).unwrap();
        let plan = scenario.plan(&["-refresh-only", "-detailed-exitcode", "-out=refresh.plan"]);
        if plan.code != Some(0) {
            let shown = scenario.tf(&["show", "-json", "refresh.plan"]);
            let json: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap_or_default();
            scenario
                .apply(&["-refresh-only"])
                .assert_success("debug apply");
            let after = std::fs::read_to_string(&state_file).unwrap();
            panic!(
                "round {round}: exit {:?}; drift: {:#}\nBEFORE {}\nAFTER {}",
                plan.code,
                json["resource_drift"],
                String::from_utf8_lossy(&before),
                after
            );
        }
        let apply = scenario.apply(&["-refresh-only"]);
        apply.assert_success("apply -refresh-only");
        let after = std::fs::read(&state_file).unwrap();
        // Terraform itself bumps `serial` and may list sensitive paths in another order; every
        // value and private data must stay as they were.
        let strip_serial = |bytes: &[u8]| {
            let mut state: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            state.as_object_mut().unwrap().remove("serial");
            for resource in state["resources"].as_array_mut().unwrap() {
                for instance in resource["instances"].as_array_mut().unwrap() {
                    if let Some(paths) = instance["sensitive_attributes"].as_array_mut() {
                        paths.sort_by_key(|path| path.to_string());
                    }
                }
            }
            state
        };
        assert_eq!(
            strip_serial(&before),
            strip_serial(&after),
            "round {round}: a refresh that finds nothing changed rewrites nothing"
        );
    }
}

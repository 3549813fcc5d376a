//! The securing baseline on both of Okta's engines, through the real provider, emulator and
//! `terraform` CLI: it applies, a refresh finds it compliant (an empty plan, no drift), and each
//! engine's own place for self-service recovery is the one the provider watches: the policy's
//! factors on Classic Engine, the rule's `selfServicePasswordReset` on Identity Engine. On
//! Identity Engine the emulator refuses the Classic-only `activate` parameter of a policy
//! create, so a baseline that applies there proves the provider never sends it.

use serde_json::{Value, json};

use crate::support::emulator::{Api, CustomerOrg, Emulator};
use crate::support::terraform::{Workspace, terraform_available};

const GROUP: &str = "MSP Service Accounts";

fn config(org: &CustomerOrg) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  org_tokens            = {{ "{url}" = "{token}" }}
  allowed_network_cidrs = ["203.0.113.0/24"]
}}
resource "okta_msp_service_account" "agent" {{
  org_url = "{url}"
  kind    = "ad_agent"
  login   = "okta-ad-agent@msp.example"
  email   = "okta-ad-agent@msp.example"
}}
output "drift" {{
  value = okta_msp_service_account.agent.drift
}}
"#,
        url = org.url,
        token = org.token
    )
}

/// An emulator on `engine`, an org made through its Org Creator (so the org inherits the
/// partner's engine), and the baseline applied to it with one account.
struct Applied {
    emulator: Emulator,
    org: CustomerOrg,
    workspace: Workspace,
}

fn applied(engine: &str, subdomain: &str) -> Applied {
    let emulator = Emulator::start_with(&["--engine", engine]);
    let org = emulator.create_org(subdomain);
    let workspace = Workspace::new();
    workspace.write("main.tf", &config(&org));
    workspace.init();
    workspace
        .apply()
        .assert_success(&format!("apply of the baseline on {engine}"));
    workspace.assert_no_changes(&format!("a refresh of the baseline on {engine}"));
    assert_eq!(drift(&workspace), json!([]), "{engine}");
    Applied {
        emulator,
        org,
        workspace,
    }
}

fn drift(workspace: &Workspace) -> Value {
    let output = workspace.run(&["output", "-json", "drift"]);
    output.assert_success("terraform output drift");
    serde_json::from_str(&output.stdout).unwrap()
}

/// The baseline's password policy and its rule, as Okta holds them.
fn password_policy_and_rule(api: &Api) -> (Value, Value) {
    let policy = api
        .get("/api/v1/policies?type=PASSWORD")
        .as_array()
        .unwrap()
        .iter()
        .find(|policy| policy["name"] == format!("{GROUP} - password"))
        .expect("the password policy exists")
        .clone();
    let rules = api.get(&format!(
        "/api/v1/policies/{}/rules",
        policy["id"].as_str().unwrap()
    ));
    let rule = rules.as_array().unwrap()[0].clone();
    (policy, rule)
}

fn factor_statuses(policy: &Value) -> Vec<(String, String)> {
    policy["settings"]["recovery"]["factors"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, factor)| (name.clone(), factor["status"].as_str().unwrap().to_owned()))
        .collect()
}

fn strip_read_only(mut object: Value) -> Value {
    let map = object.as_object_mut().unwrap();
    for field in ["_links", "created", "lastUpdated"] {
        map.remove(field);
    }
    object
}

/// A plan after an out-of-band change: not empty, and naming the password policy.
#[track_caller]
fn assert_password_drift(workspace: &Workspace, what: &str) {
    let plan = workspace.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    assert_eq!(
        plan.code,
        Some(2),
        "{what}: a plan shows the repair:\n{}",
        plan.combined()
    );
    assert!(
        plan.combined().contains("password policy"),
        "{what}: the drift names the password policy:\n{}",
        plan.combined()
    );
}

#[test]
fn the_baseline_applies_and_verifies_on_identity_engine_where_the_rule_governs_recovery() {
    if !terraform_available() {
        return;
    }
    let Applied {
        emulator,
        org,
        workspace,
    } = applied("oie", "engine-oie");
    let api = Api::new(&org.url, &org.token);
    assert_eq!(api.get("/.well-known/okta-organization")["pipeline"], "idx");

    // The rule denies reset and unlock; the policy's factors are Okta's, untouched (the
    // emulator, as Okta, turns the security question and e-mail on by default).
    let (policy, rule) = password_policy_and_rule(&api);
    assert_eq!(
        rule["actions"]["selfServicePasswordReset"]["access"],
        "DENY"
    );
    assert_eq!(rule["actions"]["selfServiceUnlock"]["access"], "DENY");
    assert!(
        factor_statuses(&policy).contains(&("recovery_question".to_owned(), "ACTIVE".to_owned())),
        "{policy}"
    );

    // Both policies were created on this Identity Engine org, which refuses `activate`.
    let stats = Api::new(&emulator.url, &emulator.admin_token).get("/_emulator/stats");
    let creates: u64 = stats["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["org"] == "engine-oie" && r["method"] == "POST")
        .filter(|r| r["route"] == "/api/v1/policies")
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(creates, 2, "{stats:#}");

    // Opening reset by e-mail in the rule is drift on Identity Engine, and the apply repairs it.
    let mut opened = strip_read_only(rule.clone());
    opened["actions"]["selfServicePasswordReset"] = json!({"access": "ALLOW", "requirement": {
        "primary": {"methods": ["email"]}, "stepUp": {"required": false}, "accessControl": "LEGACY"}});
    let (status, body) = api.send(
        "PUT",
        &format!(
            "/api/v1/policies/{}/rules/{}",
            policy["id"].as_str().unwrap(),
            rule["id"].as_str().unwrap()
        ),
        Some(opened),
    );
    assert_eq!(status, 200, "{body}");
    assert_password_drift(&workspace, "reset opened in the rule");
    workspace.apply().assert_success("the repair of the rule");
    workspace.assert_no_changes("after the repair of the rule");
    let (_, rule) = password_policy_and_rule(&api);
    assert_eq!(
        rule["actions"]["selfServicePasswordReset"]["access"],
        "DENY"
    );
}

#[test]
fn the_baseline_applies_and_verifies_on_classic_engine_where_the_policy_holds_the_factors() {
    if !terraform_available() {
        return;
    }
    // The emulator is bound so that it lives until the end of the test.
    let Applied {
        emulator: _emulator,
        org,
        workspace,
    } = applied("classic", "engine-classic");
    let api = Api::new(&org.url, &org.token);
    assert_eq!(api.get("/.well-known/okta-organization")["pipeline"], "v1");

    // Every factor of the policy is off, and the rule denies reset and unlock.
    let (policy, rule) = password_policy_and_rule(&api);
    let statuses = factor_statuses(&policy);
    assert!(!statuses.is_empty());
    for (factor, status) in &statuses {
        assert_eq!(status, "INACTIVE", "recovery factor {factor} is off");
    }
    assert_eq!(
        rule["actions"]["selfServicePasswordReset"]["access"],
        "DENY"
    );
    assert_eq!(rule["actions"]["selfServiceUnlock"]["access"], "DENY");

    // Turning the policy's e-mail factor on is drift on Classic Engine, and the apply repairs it.
    let mut opened = strip_read_only(policy.clone());
    opened["settings"]["recovery"]["factors"]["okta_email"]["status"] = json!("ACTIVE");
    let (status, body) = api.send(
        "PUT",
        &format!("/api/v1/policies/{}", policy["id"].as_str().unwrap()),
        Some(opened),
    );
    assert_eq!(status, 200, "{body}");
    assert_password_drift(&workspace, "the e-mail factor turned on");
    workspace.apply().assert_success("the repair of the policy");
    workspace.assert_no_changes("after the repair of the policy");
    let (policy, _) = password_policy_and_rule(&api);
    assert!(
        factor_statuses(&policy)
            .iter()
            .all(|(_, status)| status == "INACTIVE"),
        "{policy}"
    );
}

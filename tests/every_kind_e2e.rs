//! One org with an account of every kind, set up through the real CLI against the emulator, then
//! checked on Okta's side: exact roles, group membership, both baseline policies and their rules,
//! the network zone, status, no recovery, notifications off, and no secret in state, output or
//! logs except `api_token` as a sensitive value.

use crate::support::emulator::{Api, Emulator};
use crate::support::terraform::{Workspace, terraform_available};

const CONFIG: &str = r#"
terraform {
  required_providers {
    okta = { source = "zerotek/okta-msp" }
  }
}

provider "okta" {
  allowed_network_cidrs = ["203.0.113.0/24"]
}

resource "okta_msp_org" "acme" {
  name              = "Acme Corp"
  subdomain         = "acme"
  integration_login = "msp-integration@msp.example"
  integration_email = "msp-integration@msp.example"
}

locals {
  accounts = {
    deep_link = { kind = "deep_link", roles = null }
    ad_agent  = { kind = "ad_agent", roles = null }
    radius    = { kind = "radius", roles = null }
    custom    = { kind = "custom", roles = ["REPORT_ADMIN", "HELP_DESK_ADMIN"] }
  }
}

resource "okta_msp_service_account" "account" {
  for_each = local.accounts

  org_url       = okta_msp_org.acme.url
  org_api_token = okta_msp_org.acme.api_token
  kind          = each.value.kind
  login         = "${replace(each.key, "_", "-")}@msp.example"
  email         = "${replace(each.key, "_", "-")}@msp.example"
  admin_roles   = each.value.roles
  password_wo   = each.key == "radius" ? "Vault-Issued-Secret-Value-2026!" : null
}

output "ids" {
  value = { for key, account in okta_msp_service_account.account : key => account.id }
}

output "org" {
  value = { url = okta_msp_org.acme.url, integration = okta_msp_org.acme.integration_account_id }
}
"#;

#[test]
fn every_kind_is_privileged_exactly_and_secured_by_the_baseline() {
    if !terraform_available() {
        return;
    }
    // Classic Engine, explicitly: the check below that every recovery factor of the policy is
    // off holds there; on Identity Engine the rule alone governs recovery and the policy's
    // factors are left as Okta has them (`baseline_engines_e2e` covers both engines).
    let emulator = Emulator::start_with(&["--engine", "classic"]);
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    workspace.write("main.tf", CONFIG);
    workspace.init();
    let apply = workspace.run_with(
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        &[("TF_LOG_PROVIDER", "trace")],
    );
    apply.assert_success("apply of every kind");

    let outputs: serde_json::Value =
        serde_json::from_str(&workspace.run(&["output", "-json"]).stdout).unwrap();
    let ids = &outputs["ids"]["value"];
    let org_url = outputs["org"]["value"]["url"].as_str().unwrap().to_owned();
    let integration = outputs["org"]["value"]["integration"]
        .as_str()
        .unwrap()
        .to_owned();
    let state_text = std::fs::read_to_string(workspace.dir().join("terraform.tfstate")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&state_text).unwrap();
    let org_token = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "okta_msp_org")
        .unwrap()["instances"][0]["attributes"]["api_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let api = Api::new(&org_url, &org_token);

    // Roles: exactly what each kind requires, nothing more.
    let expected: [(&str, &[&str]); 4] = [
        ("deep_link", &["SUPER_ADMIN"]),
        ("ad_agent", &["SUPER_ADMIN"]),
        ("radius", &["APP_ADMIN", "READ_ONLY_ADMIN"]),
        ("custom", &["HELP_DESK_ADMIN", "REPORT_ADMIN"]),
    ];
    let mut all_ids = vec![integration.clone()];
    for (key, roles) in expected {
        let id = ids[key].as_str().unwrap().to_owned();
        assert_eq!(api.role_types(&id), roles, "{key}");
        all_ids.push(id);
    }
    assert_eq!(api.role_types(&integration), vec!["SUPER_ADMIN"]);

    // Status, no recovery question, finalized in Okta, in the group.
    let group = api
        .group_id("MSP Service Accounts")
        .expect("the group exists");
    let members = api.group_member_ids(&group);
    for id in &all_ids {
        let user = api.get(&format!("/api/v1/users/{id}"));
        assert_eq!(user["status"], "ACTIVE", "{id}");
        assert!(
            user["credentials"]["recovery_question"].is_null(),
            "{id} has no recovery question: {user}"
        );
        assert!(
            user["profile"]["userType"]
                .as_str()
                .unwrap()
                .ends_with("/finalized"),
            "{user}"
        );
        assert!(members.contains(id), "{id} is in the group");
    }

    // Notifications off for every grant.
    let grants = api.get(&format!(
        "/api/v1/logs?since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z&limit=1000&filter={}",
        "eventType%20eq%20%22user.account.privilege.grant%22"
    ));
    let grants = grants.as_array().unwrap();
    assert!(grants.len() >= 6, "{grants:?}");
    for grant in grants {
        let targets_ours = grant["target"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| all_ids[1..].contains(&t["id"].as_str().unwrap_or_default().to_owned()));
        if targets_ours {
            assert_eq!(
                grant["debugContext"]["debugData"]["disableNotifications"], true,
                "{grant}"
            );
        }
    }

    // The password policy: first, only the group, the baseline's settings, recovery off (on
    // Classic Engine, in the policy's factors and in the rule).
    let policies = api.get("/api/v1/policies?type=PASSWORD");
    let password = policies
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "MSP Service Accounts - password")
        .expect("the password policy exists");
    assert_eq!(password["status"], "ACTIVE");
    assert_eq!(password["priority"], 1);
    assert_eq!(
        password["conditions"]["people"]["groups"]["include"],
        serde_json::json!([group])
    );
    let settings = &password["settings"]["password"];
    assert!(settings["complexity"]["minLength"].as_u64().unwrap() >= 20);
    assert_eq!(settings["age"]["maxAgeDays"], 0);
    let attempts = settings["lockout"]["maxAttempts"].as_u64().unwrap();
    assert!(
        (1..=10).contains(&attempts),
        "lockout is bounded: {attempts}"
    );
    for (factor, value) in password["settings"]["recovery"]["factors"]
        .as_object()
        .unwrap()
    {
        assert_eq!(
            value["status"], "INACTIVE",
            "recovery factor {factor} is off"
        );
    }
    let rules = api.get(&format!(
        "/api/v1/policies/{}/rules",
        password["id"].as_str().unwrap()
    ));
    let rule = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["system"] != true)
        .expect("a password rule");
    assert_eq!(
        rule["actions"]["selfServicePasswordReset"]["access"],
        "DENY"
    );
    assert_eq!(rule["actions"]["selfServiceUnlock"]["access"], "DENY");

    // The sign-on policy: first, only the group, no persistent session, bounded lifetime, only
    // from the zone built from allowed_network_cidrs.
    let policies = api.get("/api/v1/policies?type=OKTA_SIGN_ON");
    let sign_on = policies
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "MSP Service Accounts - sign-on")
        .expect("the sign-on policy exists");
    assert_eq!(sign_on["priority"], 1);
    assert_eq!(
        sign_on["conditions"]["people"]["groups"]["include"],
        serde_json::json!([group])
    );
    let zones = api.get("/api/v1/zones");
    let zone = zones
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["name"] == "MSP Service Accounts - network zone")
        .expect("the zone exists");
    assert_eq!(zone["status"], "ACTIVE");
    assert_eq!(zone["gateways"][0]["value"], "203.0.113.0/24");
    let rules = api.get(&format!(
        "/api/v1/policies/{}/rules",
        sign_on["id"].as_str().unwrap()
    ));
    let session = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "MSP Service Accounts - session")
        .expect("the session rule");
    let session_settings = &session["actions"]["signon"]["session"];
    assert_eq!(session_settings["usePersistentCookie"], false);
    let lifetime = session_settings["maxSessionLifetimeMinutes"]
        .as_u64()
        .unwrap();
    assert!(
        lifetime > 0 && lifetime <= 1440,
        "bounded session: {lifetime}"
    );
    assert_eq!(
        session["conditions"]["network"]["include"],
        serde_json::json!([zone["id"]])
    );

    // No secret in state (but the org's sensitive api_token), plan output or logs.
    assert!(!state_text.contains("Vault-Issued-Secret-Value"));
    assert!(!state_text.contains(&emulator.partner_token));
    // The org's token is in state only where it is a sensitive attribute: `api_token`, which
    // Okta returns once, and the `org_api_token` arguments that pass it on.
    let mut places = Vec::new();
    for resource in state["resources"].as_array().unwrap() {
        for instance in resource["instances"].as_array().unwrap() {
            for (name, value) in instance["attributes"].as_object().unwrap() {
                if value.as_str() == Some(org_token.as_str()) {
                    places.push(name.clone());
                }
            }
        }
    }
    assert_eq!(
        state_text.matches(&org_token).count(),
        places.len(),
        "nowhere else"
    );
    assert!(
        places
            .iter()
            .all(|name| name == "api_token" || name == "org_api_token"),
        "{places:?}"
    );
    let show: serde_json::Value =
        serde_json::from_str(&workspace.run(&["show", "-json"]).stdout).unwrap();
    for resource in show["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
    {
        for name in ["api_token", "org_api_token"] {
            if resource["values"].get(name).is_some() {
                assert_eq!(
                    resource["sensitive_values"][name], true,
                    "{name} of {} is sensitive",
                    resource["address"]
                );
            }
        }
    }
    for secret in [
        "Vault-Issued-Secret-Value",
        emulator.partner_token.as_str(),
        org_token.as_str(),
    ] {
        assert!(!apply.stdout.contains(secret), "secret in output");
        assert!(
            !apply.stderr.contains(secret),
            "secret in the provider's trace logs"
        );
    }
    assert!(
        apply
            .stderr
            .contains("provider.terraform-provider-okta-msp"),
        "the trace logs were on"
    );
}

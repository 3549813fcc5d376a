//! The guard's plan-time decisions through the real provider binary, driven with the exact
//! PlanResourceChange calls Terraform makes for each path to a destroy, replace or change
//! (research: tfprotocol.md section 2). The end-to-end scenarios with the CLI live in
//! `guard_scenarios.rs`.

use tfplugin6::proto::tfplugin6 as wire;
use tfplugin6::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin6::value::{self, Type, Value};
use tonic::transport::Channel;

use crate::support::plugin_client::{PluginProcess, provider_binary};

const TYPE: &str = "okta_msp_service_account";

fn account_type() -> Type {
    okta_msp::provider::service_account::schema().value_type()
}

pub(crate) fn finalized_account() -> Value {
    let Value::Object(mut attributes) = Value::null_object(&account_type()) else {
        unreachable!()
    };
    for (name, text) in [
        ("org_url", "https://acme.okta.com"),
        ("kind", "ad_agent"),
        ("login", "oktaadagent@msp.example"),
        ("email", "oktaadagent@msp.example"),
        ("first_name", "OktaADAgent"),
        ("last_name", "Service Account"),
        ("id", "00u1finalized"),
        ("org_id", "00o1acme"),
        ("status", "ACTIVE"),
        ("finalized_at", "2026-11-28T10:00:00Z"),
    ] {
        attributes.insert(name.into(), Value::string(text));
    }
    attributes.insert(
        "admin_roles".into(),
        Value::Set(vec![Value::string("SUPER_ADMIN")]),
    );
    attributes.insert("finalize".into(), Value::Bool(true));
    attributes.insert("finalized".into(), Value::Bool(true));
    attributes.insert("drift".into(), Value::List(vec![]));
    Value::Object(attributes)
}

pub(crate) fn with(value: &Value, name: &str, new: Value) -> Value {
    let Value::Object(mut attributes) = value.clone() else {
        unreachable!()
    };
    attributes.insert(name.into(), new);
    Value::Object(attributes)
}

/// The configuration a state corresponds to: computed-only attributes null.
pub(crate) fn config_of(state: &Value) -> Value {
    let mut config = state.clone();
    for name in [
        "id",
        "org_id",
        "status",
        "finalized",
        "finalized_at",
        "drift",
    ] {
        config = with(&config, name, Value::Null);
    }
    config
}

fn dynamic(value: &Value) -> Option<wire::DynamicValue> {
    Some(wire::DynamicValue {
        msgpack: value::encode_msgpack(value, &account_type()).unwrap(),
        json: vec![],
    })
}

pub(crate) async fn plan(
    client: &mut ProviderClient<Channel>,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    prior_private: Vec<u8>,
) -> wire::plan_resource_change::Response {
    client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dynamic(prior),
            proposed_new_state: dynamic(proposed),
            config: dynamic(config),
            prior_private,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

pub(crate) fn errors(response: &wire::plan_resource_change::Response) -> Vec<String> {
    response
        .diagnostics
        .iter()
        .filter(|d| d.severity == 1)
        .map(|d| format!("{} | {}", d.summary, d.detail))
        .collect()
}

pub(crate) async fn client() -> (PluginProcess, ProviderClient<Channel>) {
    let plugin = PluginProcess::start(provider_binary(), &[]);
    let client = ProviderClient::new(plugin.connect().await.unwrap());
    (plugin, client)
}

#[tokio::test]
async fn destroying_a_finalized_account_is_refused_in_the_plan_without_network() {
    let (_plugin, mut client) = client().await;
    let prior = finalized_account();
    let response = plan(&mut client, &prior, &Value::Null, &Value::Null, vec![]).await;
    let errors = errors(&response);
    assert_eq!(errors.len(), 1, "one diagnostic per object: {errors:?}");
    assert!(
        errors[0].contains("cannot be destroyed (G1-G3)"),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("destroy = false"),
        "names the way out: {errors:?}"
    );
}

#[tokio::test]
async fn destroying_an_unfinalized_account_is_planned() {
    let (_plugin, mut client) = client().await;
    let prior = with(&finalized_account(), "finalized", Value::Bool(false));
    let response = plan(&mut client, &prior, &Value::Null, &Value::Null, vec![]).await;
    assert!(errors(&response).is_empty(), "{:?}", response.diagnostics);
    let planned =
        value::decode_msgpack(&response.planned_state.unwrap().msgpack, &account_type()).unwrap();
    assert!(planned.is_null());
}

#[tokio::test]
async fn a_replace_of_a_finalized_account_is_refused_at_its_create_half() {
    let (_plugin, mut client) = client().await;
    let prior = finalized_account();
    let config = config_of(&prior);
    // Call 1: the update half, identical prior and proposed (as for -replace).
    let update = plan(&mut client, &prior, &prior, &config, vec![]).await;
    assert!(errors(&update).is_empty(), "{:?}", update.diagnostics);
    assert!(update.requires_replace.is_empty());
    assert!(
        String::from_utf8_lossy(&update.planned_private).contains("okta_msp_finalized"),
        "every plan of a finalized account carries the marker"
    );
    // Call 2: Terraform plans the create half with call 1's planned private as prior private.
    let create = plan(
        &mut client,
        &Value::Null,
        &config,
        &config,
        update.planned_private.clone(),
    )
    .await;
    let errors = errors(&create);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("cannot be replaced (G5)"), "{errors:?}");
}

#[tokio::test]
async fn changing_an_immutable_attribute_of_a_finalized_account_is_refused_not_replaced() {
    let (_plugin, mut client) = client().await;
    let prior = finalized_account();
    let proposed = with(&prior, "login", Value::string("renamed@msp.example"));
    let response = plan(
        &mut client,
        &prior,
        &proposed,
        &config_of(&proposed),
        vec![],
    )
    .await;
    assert!(
        response.requires_replace.is_empty(),
        "no replacement is ever proposed"
    );
    let errors = errors(&response);
    assert!(errors[0].contains("(G4)"), "{errors:?}");
    assert_eq!(
        response.diagnostics[0]
            .attribute
            .as_ref()
            .map(|p| p.steps.len()),
        Some(1),
        "points at the attribute"
    );
}

#[tokio::test]
async fn changing_a_managed_attribute_of_a_finalized_account_is_refused() {
    let (_plugin, mut client) = client().await;
    let prior = finalized_account();
    for (name, new) in [
        ("first_name", Value::string("Renamed")),
        ("email", Value::string("other@msp.example")),
        ("finalize", Value::Bool(false)),
    ] {
        let proposed = with(&prior, name, new);
        let response = plan(
            &mut client,
            &prior,
            &proposed,
            &config_of(&proposed),
            vec![],
        )
        .await;
        let errors = errors(&response);
        assert!(
            errors.len() == 1 && errors[0].contains("(G9)"),
            "{name}: {errors:?}"
        );
    }
}

#[tokio::test]
async fn drift_of_a_finalized_account_is_planned_as_a_repair_with_a_warning() {
    let (_plugin, mut client) = client().await;
    let prior = with(
        &with(&finalized_account(), "status", Value::string("SUSPENDED")),
        "drift",
        Value::List(vec![Value::string("unsuspend the account")]),
    );
    let response = plan(&mut client, &prior, &prior, &config_of(&prior), vec![]).await;
    assert!(errors(&response).is_empty(), "{:?}", response.diagnostics);
    let warning = response
        .diagnostics
        .iter()
        .find(|d| d.severity == 2)
        .expect("a warning names the repair");
    assert!(warning.summary.contains("(G12)"));
    assert!(warning.detail.contains("unsuspend the account"));
    let planned =
        value::decode_msgpack(&response.planned_state.unwrap().msgpack, &account_type()).unwrap();
    assert_eq!(planned.get("status"), Some(&Value::string("ACTIVE")));
    assert_eq!(planned.get("drift"), Some(&Value::List(vec![])));
}

#[tokio::test]
async fn an_unfinalized_account_may_be_replaced() {
    let (_plugin, mut client) = client().await;
    let prior = with(&finalized_account(), "finalized", Value::Bool(false));
    let proposed = with(&prior, "login", Value::string("renamed@msp.example"));
    let response = plan(
        &mut client,
        &prior,
        &proposed,
        &config_of(&proposed),
        vec![],
    )
    .await;
    assert!(errors(&response).is_empty(), "{:?}", response.diagnostics);
    assert_eq!(response.requires_replace.len(), 1);
}

#[tokio::test]
async fn a_finalized_org_cannot_be_destroyed() {
    let (_plugin, mut client) = client().await;
    let org_type = okta_msp::provider::org::schema().value_type();
    let Value::Object(mut attributes) = Value::null_object(&org_type) else {
        unreachable!()
    };
    attributes.insert("subdomain".into(), Value::string("acme"));
    attributes.insert("id".into(), Value::string("00o1acme"));
    attributes.insert("finalized".into(), Value::Bool(true));
    let prior = Value::Object(attributes);
    let response = client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: "okta_msp_org".into(),
            prior_state: Some(wire::DynamicValue {
                msgpack: value::encode_msgpack(&prior, &org_type).unwrap(),
                json: vec![],
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let errors = errors(&response);
    assert!(
        errors.len() == 1 && errors[0].contains("(G16)"),
        "{errors:?}"
    );
}

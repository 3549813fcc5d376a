//! Protocol 6.9 and 6.10 through the real binaries and a real handshake: identity schemas,
//! identities on plan, apply and import, list streams (limits, warnings, panics) and generated
//! configuration. The real provider serves its identities, list resource and generated
//! configuration (its discovery against Okta is proved in `terraform_115.rs`); the fixture
//! provider's `fixture_named` exercises the protocol's corners.

use futures_util::StreamExt as _;
use tfplugin6::proto::tfplugin6 as wire;
use tfplugin6::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin6::value::{self, Type, Value};
use tonic::transport::Channel;

use crate::support::plugin_client::{PluginProcess, fixture_binary, provider_binary};

fn dynamic(value: &Value, ty: &Type) -> Option<wire::DynamicValue> {
    Some(wire::DynamicValue {
        msgpack: value::encode_msgpack(value, ty).unwrap(),
        json: vec![],
    })
}

fn identity_data(value: &Value) -> Option<wire::ResourceIdentityData> {
    Some(wire::ResourceIdentityData {
        identity_data: dynamic(value, &identity_type()),
    })
}

fn identity_type() -> Type {
    Type::object([("name", Type::String)])
}

fn named_type() -> Type {
    Type::object([("name", Type::String), ("id", Type::String)])
}

fn list_config_type() -> Type {
    Type::object([("count", Type::Number), ("panic_midway", Type::Bool)])
}

fn decoded_identity(data: Option<wire::ResourceIdentityData>) -> Value {
    let data = data.expect("an identity").identity_data.unwrap();
    value::decode_msgpack(&data.msgpack, &identity_type()).unwrap()
}

/// All events of one ListResource call, until the provider ends the stream.
async fn list(
    client: &mut ProviderClient<Channel>,
    type_name: &str,
    config: Option<wire::DynamicValue>,
    include_resource_object: bool,
    limit: i64,
) -> Vec<wire::list_resource::Event> {
    let mut stream = client
        .list_resource(wire::list_resource::Request {
            type_name: type_name.into(),
            config,
            include_resource_object,
            limit,
        })
        .await
        .unwrap()
        .into_inner();
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event.expect("a stream that ends cleanly"));
    }
    events
}

#[tokio::test]
async fn the_provider_serves_identities_its_list_resource_and_generated_configuration() {
    let plugin = PluginProcess::start(provider_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());

    let schema = client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
    let list_schema = &schema.list_resource_schemas["okta_msp_service_account"];
    let list_attributes: Vec<&str> = list_schema
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .map(|attribute| attribute.name.as_str())
        .collect();
    assert_eq!(list_attributes, ["org_urls", "kinds"]);
    let capabilities = schema.server_capabilities.unwrap();
    assert!(capabilities.plan_destroy);
    assert!(
        capabilities.generate_resource_config,
        "okta_msp_service_account writes its own generated configuration"
    );

    let identities = client
        .get_resource_identity_schemas(wire::get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(identities.diagnostics.is_empty());
    let names = |type_name: &str| -> Vec<String> {
        identities.identity_schemas[type_name]
            .identity_attributes
            .iter()
            .map(|attribute| attribute.name.clone())
            .collect()
    };
    assert_eq!(names("okta_msp_service_account"), ["org_url", "id"]);
    assert_eq!(names("okta_msp_org"), ["url"]);

    // Before ConfigureProvider the list cannot reach any org: one error event ends it.
    let events = list(&mut client, "okta_msp_service_account", None, false, 100).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].identity.is_none());
    assert_eq!(events[0].diagnostic[0].severity, 1);

    let validated = client
        .validate_list_resource_config(wire::validate_list_resource_config::Request {
            type_name: "okta_msp_nothing".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        validated.diagnostics[0].summary,
        "Unknown list resource type"
    );

    let upgraded = client
        .upgrade_resource_identity(wire::upgrade_resource_identity::Request {
            type_name: "okta_msp_org".into(),
            version: 0,
            raw_identity: Some(wire::RawState {
                json: br#"{"url":"https://acme.okta.com"}"#.to_vec(),
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        upgraded.diagnostics.is_empty(),
        "{:?}",
        upgraded.diagnostics
    );
    let identity = upgraded.upgraded_identity.unwrap().identity_data.unwrap();
    assert_eq!(
        value::decode_msgpack(&identity.msgpack, &Type::object([("url", Type::String)])).unwrap(),
        Value::object([("url", Value::string("https://acme.okta.com"))])
    );

    let metadata = client
        .get_metadata(wire::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    let listed: Vec<&str> = metadata
        .list_resources
        .iter()
        .map(|list| list.type_name.as_str())
        .collect();
    assert_eq!(listed, ["okta_msp_service_account"]);
    assert!(metadata.diagnostics.is_empty());
}

#[tokio::test]
async fn identity_schemas_and_list_schemas_are_served_for_a_resource_that_has_them() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let schema = client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
    assert!(schema.list_resource_schemas.contains_key("fixture_named"));
    assert!(schema.server_capabilities.unwrap().generate_resource_config);
    let identities = client
        .get_resource_identity_schemas(wire::get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    let named = &identities.identity_schemas["fixture_named"];
    assert_eq!(named.identity_attributes.len(), 1);
    assert_eq!(named.identity_attributes[0].name, "name");
    assert_eq!(named.identity_attributes[0].r#type, b"\"string\"");
    assert!(named.identity_attributes[0].required_for_import);
    assert!(
        !identities.identity_schemas.contains_key("fixture_echo"),
        "a resource without identity is absent"
    );
}

#[tokio::test]
async fn identities_follow_the_state_through_plan_apply_and_import_by_identity() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let ty = named_type();
    let proposed = Value::object([("name", Value::string("alpha")), ("id", Value::Null)]);
    let plan = client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: "fixture_named".into(),
            proposed_new_state: dynamic(&proposed, &ty),
            config: dynamic(&proposed, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(
        decoded_identity(plan.planned_identity.clone()),
        Value::object([("name", Value::string("alpha"))])
    );

    let apply = client
        .apply_resource_change(wire::apply_resource_change::Request {
            type_name: "fixture_named".into(),
            planned_state: plan.planned_state,
            config: dynamic(&proposed, &ty),
            planned_identity: plan.planned_identity,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(apply.diagnostics.is_empty(), "{:?}", apply.diagnostics);
    assert_eq!(
        decoded_identity(apply.new_identity),
        Value::object([("name", Value::string("alpha"))])
    );

    let imported = client
        .import_resource_state(wire::import_resource_state::Request {
            type_name: "fixture_named".into(),
            identity: identity_data(&Value::object([("name", Value::string("beta"))])),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let object = &imported.imported_resources[0];
    let state = value::decode_msgpack(&object.state.as_ref().unwrap().msgpack, &ty).unwrap();
    assert_eq!(state.get("id"), Some(&Value::string("id-beta")));
    assert_eq!(
        decoded_identity(object.identity.clone()),
        Value::object([("name", Value::string("beta"))])
    );

    // Neither an id nor an identity: a diagnostic, not a guess.
    let empty = client
        .import_resource_state(wire::import_resource_state::Request {
            type_name: "fixture_named".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(empty.diagnostics[0].summary, "Nothing to import");

    // A panic while computing an identity is a diagnostic, and the provider lives on.
    let panicking = Value::object([
        ("name", Value::string("panic-in-identity")),
        ("id", Value::Null),
    ]);
    let plan = client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: "fixture_named".into(),
            proposed_new_state: dynamic(&panicking, &ty),
            config: dynamic(&panicking, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        plan.diagnostics[0].summary,
        "The provider hit an internal error"
    );
}

#[tokio::test]
async fn stored_identities_upgrade_only_from_the_current_version() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let upgrade = |version: i64| wire::upgrade_resource_identity::Request {
        type_name: "fixture_named".into(),
        version,
        raw_identity: Some(wire::RawState {
            json: br#"{"name":"alpha","gone":"dropped"}"#.to_vec(),
            ..Default::default()
        }),
    };
    let current = client
        .upgrade_resource_identity(upgrade(0))
        .await
        .unwrap()
        .into_inner();
    // Attributes the schema does not know are refused rather than silently dropped: an identity
    // names an object, and a half-read one could name another.
    assert_eq!(current.diagnostics.len(), 1, "{:?}", current.diagnostics);
    let newer = client
        .upgrade_resource_identity(upgrade(7))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        newer.diagnostics[0].summary,
        "Stored identity has an unknown version"
    );
    let clean = client
        .upgrade_resource_identity(wire::upgrade_resource_identity::Request {
            type_name: "fixture_named".into(),
            version: 0,
            raw_identity: Some(wire::RawState {
                json: br#"{"name":"alpha"}"#.to_vec(),
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(clean.diagnostics.is_empty(), "{:?}", clean.diagnostics);
    assert_eq!(
        decoded_identity(clean.upgraded_identity),
        Value::object([("name", Value::string("alpha"))])
    );
}

#[tokio::test]
async fn a_list_streams_a_warning_then_objects_up_to_the_limit() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let config = Value::object([("count", Value::int(10)), ("panic_midway", Value::Null)]);
    let events = list(
        &mut client,
        "fixture_named",
        dynamic(&config, &list_config_type()),
        true,
        3,
    )
    .await;
    assert_eq!(events.len(), 4, "a warning and three objects: {events:?}");
    assert_eq!(events[0].diagnostic[0].severity, 2);
    assert!(events[0].identity.is_none());
    for (index, event) in events[1..].iter().enumerate() {
        assert!(event.diagnostic.is_empty());
        assert_eq!(event.display_name, format!("item {index}"));
        assert_eq!(
            decoded_identity(event.identity.clone()),
            Value::object([("name", Value::string(format!("item-{index}")))])
        );
        let object = event.resource_object.as_ref().expect("object requested");
        let state = value::decode_msgpack(&object.msgpack, &named_type()).unwrap();
        assert_eq!(
            state.get("id"),
            Some(&Value::string(format!("id-item-{index}")))
        );
    }

    // Without include_resource_object no object travels.
    let events = list(
        &mut client,
        "fixture_named",
        dynamic(&config, &list_config_type()),
        false,
        100,
    )
    .await;
    assert_eq!(events.len(), 11);
    assert!(events.iter().all(|event| event.resource_object.is_none()));
}

#[tokio::test]
async fn a_list_that_panics_midway_ends_with_an_error_event_and_the_provider_lives_on() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let config = Value::object([
        ("count", Value::int(4)),
        ("panic_midway", Value::bool(true)),
    ]);
    let events = list(
        &mut client,
        "fixture_named",
        dynamic(&config, &list_config_type()),
        false,
        100,
    )
    .await;
    // The warning, item-0 and item-1, then the panic as an error.
    assert_eq!(events.len(), 4, "{events:?}");
    let last = events.last().unwrap();
    assert_eq!(last.diagnostic[0].severity, 1);
    assert_eq!(
        last.diagnostic[0].summary,
        "The provider hit an internal error"
    );
    // Garbage config: a diagnostic event, not a broken stream.
    let events = list(
        &mut client,
        "fixture_named",
        Some(wire::DynamicValue {
            msgpack: vec![0x81, 0xa3, b'n', b'o'],
            json: vec![],
        }),
        false,
        100,
    )
    .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].diagnostic[0].severity, 1);
    client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap();
}

#[tokio::test]
async fn generated_configuration_comes_from_the_resource_or_from_the_schema() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let state = Value::object([
        ("name", Value::string("alpha")),
        ("id", Value::string("id-alpha")),
    ]);
    let generated = client
        .generate_resource_config(wire::generate_resource_config::Request {
            type_name: "fixture_named".into(),
            state: dynamic(&state, &named_type()),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        generated.diagnostics.is_empty(),
        "{:?}",
        generated.diagnostics
    );
    let config = value::decode_msgpack(&generated.config.unwrap().msgpack, &named_type()).unwrap();
    assert_eq!(
        config,
        Value::object([("name", Value::string("alpha")), ("id", Value::Null)])
    );

    // fixture_panic does not generate its own: the schema's configurable attributes are kept.
    let ty = Type::object([("name", Type::String)]);
    let state = Value::object([("name", Value::string("kept"))]);
    let generated = client
        .generate_resource_config(wire::generate_resource_config::Request {
            type_name: "fixture_panic".into(),
            state: dynamic(&state, &ty),
        })
        .await
        .unwrap()
        .into_inner();
    let config = value::decode_msgpack(&generated.config.unwrap().msgpack, &ty).unwrap();
    assert_eq!(config, state);
}

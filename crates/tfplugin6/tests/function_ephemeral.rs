//! Protocol 6.5 (provider-defined functions), 6.7 (ephemeral resources) and 6.10's actions
//! through the real fixture binary and a real handshake: definitions in GetProviderSchema,
//! GetFunctions and GetMetadata; calls with results, argument errors and panics; an ephemeral
//! resource's open, renew and close with its private data; an action's progress stream.

use tfplugin6::proto::tfplugin6 as wire;
use tfplugin6::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin6::value::{self, Type, Value};
use tonic::transport::Channel;

use tfplugin6::testing::PluginProcess;

use crate::fixture_binary;

fn dynamic(value: &Value, ty: &Type) -> wire::DynamicValue {
    wire::DynamicValue {
        msgpack: value::encode_msgpack(value, ty).unwrap(),
        json: vec![],
    }
}

async fn call(
    client: &mut ProviderClient<Channel>,
    name: &str,
    arguments: Vec<wire::DynamicValue>,
) -> wire::call_function::Response {
    client
        .call_function(wire::call_function::Request {
            name: name.into(),
            arguments,
        })
        .await
        .expect("a function answers, even with an error")
        .into_inner()
}

#[tokio::test]
async fn functions_are_declared_in_the_schema_in_get_functions_and_in_the_metadata() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let schema = client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let repeat = &schema.functions["repeat"];
    let parameters: Vec<(&str, &[u8])> = repeat
        .parameters
        .iter()
        .map(|parameter| (parameter.name.as_str(), parameter.r#type.as_slice()))
        .collect();
    assert_eq!(
        parameters,
        vec![("text", &b"\"string\""[..]), ("times", &b"\"number\""[..])]
    );
    assert_eq!(
        repeat.r#return.as_ref().unwrap().r#type,
        br#"["list","string"]"#
    );
    assert_eq!(repeat.summary, "Repeats a text");
    let join = &schema.functions["join"];
    assert_eq!(join.variadic_parameter.as_ref().unwrap().name, "parts");
    assert!(
        join.parameters
            .iter()
            .all(|parameter| !parameter.allow_null_value)
    );

    let functions = client
        .get_functions(wire::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        functions.functions, schema.functions,
        "one definition, two RPCs"
    );
    assert!(functions.diagnostics.is_empty());

    let metadata = client
        .get_metadata(wire::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    let mut names: Vec<&str> = metadata.functions.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, vec!["explode", "join", "repeat"]);
    let ephemeral: Vec<&str> = metadata
        .ephemeral_resources
        .iter()
        .map(|e| e.type_name.as_str())
        .collect();
    assert_eq!(ephemeral, vec!["fixture_lease"]);
    assert!(
        schema
            .ephemeral_resource_schemas
            .contains_key("fixture_lease")
    );
}

#[tokio::test]
async fn a_function_call_returns_its_result_or_an_error_on_the_argument_at_fault() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let answer = call(
        &mut client,
        "repeat",
        vec![
            dynamic(&Value::string("ab"), &Type::String),
            dynamic(&Value::int(3), &Type::Number),
        ],
    )
    .await;
    assert_eq!(answer.error, None);
    let result =
        value::decode_msgpack(&answer.result.unwrap().msgpack, &Type::list(Type::String)).unwrap();
    assert_eq!(result, Value::list(vec![Value::string("ab"); 3]));

    let refused = call(
        &mut client,
        "repeat",
        vec![
            dynamic(&Value::string("ab"), &Type::String),
            dynamic(&Value::int(-2), &Type::Number),
        ],
    )
    .await;
    let error = refused.error.expect("a negative count is refused");
    assert_eq!(error.function_argument, Some(1), "{error:?}");
    assert!(error.text.contains("not -2"), "{error:?}");
    assert!(refused.result.is_none());

    // Variadic arguments arrive after the fixed ones.
    let joined = call(
        &mut client,
        "join",
        ["-", "a", "b", "c"]
            .iter()
            .map(|text| dynamic(&Value::string(*text), &Type::String))
            .collect(),
    )
    .await;
    let joined = value::decode_msgpack(&joined.result.unwrap().msgpack, &Type::String).unwrap();
    assert_eq!(joined, Value::string("a-b-c"));

    let too_few = call(&mut client, "repeat", vec![]).await;
    assert!(
        too_few.error.unwrap().text.contains("takes 2 arguments"),
        "a wrong argument count is an error, not a panic"
    );
    let unknown = call(&mut client, "nope", vec![]).await;
    assert!(unknown.error.unwrap().text.contains("no function \"nope\""));
    let garbage = call(
        &mut client,
        "join",
        vec![wire::DynamicValue {
            msgpack: vec![0xc1],
            json: vec![],
        }],
    )
    .await;
    assert_eq!(garbage.error.unwrap().function_argument, Some(0));
}

#[tokio::test]
async fn a_panicking_function_is_a_function_error_and_the_plugin_goes_on() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let answer = call(&mut client, "explode", vec![]).await;
    let error = answer.error.expect("a panic is an error");
    assert!(error.text.contains("explode always panics"), "{error:?}");
    assert_eq!(error.function_argument, None);
    let next = call(
        &mut client,
        "join",
        vec![dynamic(&Value::string(","), &Type::String)],
    )
    .await;
    assert_eq!(next.error, None, "the plugin still serves calls");
}

fn lease_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("renew_after_seconds", Type::Number),
        ("value", Type::String),
    ])
}

fn lease_config(name: &str) -> wire::DynamicValue {
    dynamic(
        &Value::object([
            ("name", Value::string(name)),
            ("renew_after_seconds", Value::int(60)),
            ("value", Value::Null),
        ]),
        &lease_type(),
    )
}

#[tokio::test]
async fn an_ephemeral_resource_opens_renews_and_closes_with_its_private_data() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let invalid = client
        .validate_ephemeral_resource_config(wire::validate_ephemeral_resource_config::Request {
            type_name: "fixture_lease".into(),
            config: Some(lease_config("")),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(invalid.diagnostics[0].summary, "Empty name");

    let before = std::time::SystemTime::now();
    let opened = client
        .open_ephemeral_resource(wire::open_ephemeral_resource::Request {
            type_name: "fixture_lease".into(),
            config: Some(lease_config("alpha")),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(opened.diagnostics.is_empty(), "{:?}", opened.diagnostics);
    let result = value::decode_msgpack(&opened.result.unwrap().msgpack, &lease_type()).unwrap();
    assert_eq!(result.get("value"), Some(&Value::string("lease-alpha-0")));
    let renew_at = std::time::SystemTime::try_from(opened.renew_at.expect("renew_at")).unwrap();
    assert!(renew_at > before, "renew_at lies in the future");

    let renewed = client
        .renew_ephemeral_resource(wire::renew_ephemeral_resource::Request {
            type_name: "fixture_lease".into(),
            private: opened.private,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(renewed.renew_at.is_none());
    assert_eq!(renewed.diagnostics[0].detail, "lease-alpha-1 renewed");

    let closed = client
        .close_ephemeral_resource(wire::close_ephemeral_resource::Request {
            type_name: "fixture_lease".into(),
            private: renewed.private,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        closed.diagnostics[0].detail, "lease-alpha-1 closed",
        "close gets the private data the last renew returned"
    );

    let unknown = client
        .open_ephemeral_resource(wire::open_ephemeral_resource::Request {
            type_name: "fixture_nope".into(),
            config: Some(lease_config("alpha")),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        unknown.diagnostics[0]
            .summary
            .contains("Unknown ephemeral resource type")
    );
}

fn count_config(count: i64, fail: bool) -> Option<wire::DynamicValue> {
    Some(dynamic(
        &Value::object([("count", Value::int(count)), ("fail", Value::bool(fail))]),
        &Type::object([("count", Type::Number), ("fail", Type::Bool)]),
    ))
}

/// Every event of one InvokeAction call: progress messages, then the completion's diagnostics.
async fn invoke(
    client: &mut ProviderClient<Channel>,
    action_type: &str,
    config: Option<wire::DynamicValue>,
) -> (Vec<String>, Vec<wire::Diagnostic>) {
    use futures_util::StreamExt as _;
    use wire::invoke_action::event::Type as EventType;
    let mut stream = client
        .invoke_action(wire::invoke_action::Request {
            action_type: action_type.into(),
            config,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    let mut progress = Vec::new();
    let mut completion = None;
    while let Some(event) = stream.next().await {
        match event.unwrap().r#type {
            Some(EventType::Progress(line)) => {
                assert!(completion.is_none(), "no progress after the completion");
                progress.push(line.message);
            }
            Some(EventType::Completed(done)) => completion = Some(done.diagnostics),
            None => panic!("an event without a type"),
        }
    }
    (
        progress,
        completion.expect("the stream ends with a completion"),
    )
}

#[tokio::test]
async fn an_action_streams_progress_then_one_completion() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let schema = client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.action_schemas["fixture_count"].schema.is_some());

    let (progress, diagnostics) =
        invoke(&mut client, "fixture_count", count_config(3, false)).await;
    assert_eq!(progress, vec!["step 1 of 3", "step 2 of 3", "step 3 of 3"]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");

    let (progress, diagnostics) = invoke(&mut client, "fixture_count", count_config(1, true)).await;
    assert_eq!(progress, vec!["step 1 of 1"]);
    assert_eq!(diagnostics[0].summary, "Counting failed");

    let (progress, diagnostics) = invoke(&mut client, "fixture_nope", count_config(1, false)).await;
    assert!(progress.is_empty());
    assert!(diagnostics[0].summary.contains("Unknown action type"));

    let planned = client
        .plan_action(wire::plan_action::Request {
            action_type: "fixture_count".into(),
            config: count_config(2, false),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(planned.diagnostics.is_empty());
    let invalid = client
        .validate_action_config(wire::validate_action_config::Request {
            type_name: "fixture_count".into(),
            config: count_config(-1, false),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(invalid.diagnostics[0].summary, "Negative count");
}

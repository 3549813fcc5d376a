//! The plugin layer through the real binaries: handshake, mutual TLS, schema, value round trips,
//! panics, cancellation and shutdown, all as Terraform would drive them.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use tfplugin6::proto::go_plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin6::proto::health::health_client::HealthClient;
use tfplugin6::proto::tfplugin6 as wire;
use tfplugin6::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin6::value::{self, Number, Type, Value};

use crate::support::plugin_client::{
    ClientIdentity, Handshake, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PluginProcess, connect,
    fixture_binary, provider_binary,
};

#[tokio::test]
async fn handshake_line_is_the_only_stdout_and_names_a_private_unix_socket() {
    let plugin = PluginProcess::start(provider_binary(), &[]);
    let handshake = &plugin.handshake;
    assert_eq!(handshake.network, "unix");
    assert!(handshake.server_certificate.is_some());
    let socket_dir = std::path::Path::new(&handshake.address).parent().unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(socket_dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "socket directory must be private");
    let channel = plugin
        .connect()
        .await
        .expect("connect with Terraform's certificate");
    let mut health = HealthClient::new(channel);
    let answer = health
        .check(tfplugin6::proto::health::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.status, 1, "plugin is SERVING");
}

#[tokio::test]
async fn schema_lists_both_resources_and_advertises_plan_destroy() {
    let plugin = PluginProcess::start(provider_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let schema = client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.diagnostics.is_empty());
    assert!(schema.server_capabilities.unwrap().plan_destroy);
    let account = &schema.resource_schemas["okta_msp_service_account"];
    let block = account.block.as_ref().unwrap();
    let password = block
        .attributes
        .iter()
        .find(|a| a.name == "password_wo")
        .expect("password_wo");
    // Write-only keeps it out of plans and state; a sensitive mark too would give the resource
    // two sensitive paths, which Terraform 1.11 stores in a random order and then counts as a
    // change of an unchanged resource (Terraform issue 36403).
    assert!(password.write_only && !password.sensitive && password.optional);
    assert!(schema.resource_schemas.contains_key("okta_msp_org"));
    for (type_name, type_schema) in schema
        .resource_schemas
        .iter()
        .chain(&schema.data_source_schemas)
    {
        let sensitive = sensitive_paths(type_schema.block.as_ref().unwrap());
        assert!(
            sensitive.len() <= 1,
            "{type_name} has at most one sensitive attribute: {sensitive:?}"
        );
    }
    let provider = schema.provider.unwrap().block.unwrap();
    let token = provider
        .attributes
        .iter()
        .find(|a| a.name == "partner_token")
        .unwrap();
    assert!(token.sensitive);
}

#[tokio::test]
async fn refuses_a_client_without_a_certificate() {
    let plugin = PluginProcess::start(provider_binary(), &[]);
    let result = async {
        let channel = connect(&plugin.handshake, None).await?;
        let mut client = ProviderClient::new(channel);
        client
            .get_provider_schema(wire::get_provider_schema::Request {})
            .await
            .map_err(|status| status.to_string())
            .map(|_| ())
            .map_err(|message| -> Box<dyn std::error::Error> { message.into() })?;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    assert!(
        result.is_err(),
        "a client without a certificate must be refused"
    );
    assert!(
        plugin.stderr_eventually_contains("TLS handshake failed"),
        "refusal is logged: {}",
        plugin.stderr()
    );
}

#[tokio::test]
async fn refuses_a_client_with_another_certificate() {
    let plugin = PluginProcess::start(provider_binary(), &[]);
    let stranger = ClientIdentity::generate();
    let result = async {
        let channel = connect(&plugin.handshake, Some(&stranger)).await?;
        ProviderClient::new(channel)
            .get_provider_schema(wire::get_provider_schema::Request {})
            .await
            .map_err(|status| -> Box<dyn std::error::Error> { status.to_string().into() })?;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    assert!(
        result.is_err(),
        "a different client certificate must be refused"
    );
}

#[test]
fn refuses_to_run_without_the_magic_cookie() {
    let output = Command::new(provider_binary())
        .env_remove(MAGIC_COOKIE_KEY)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("This binary is a plugin for Terraform"),
        "{stderr}"
    );
    assert!(
        stderr.lines().count() <= 2,
        "short message for a person: {stderr}"
    );
}

#[test]
fn refuses_a_client_that_does_not_speak_protocol_6() {
    let output = Command::new(provider_binary())
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("protocol 6"));
}

#[tokio::test]
async fn exits_when_terraform_calls_shutdown() {
    let mut plugin = PluginProcess::start(provider_binary(), &[]);
    let mut controller = GrpcControllerClient::new(plugin.connect().await.unwrap());
    // The call may or may not see its answer before the process goes.
    let _ = controller
        .shutdown(tfplugin6::proto::go_plugin::Empty {})
        .await;
    let status = plugin.wait_for_exit(Duration::from_secs(10));
    assert!(
        status.is_some(),
        "plugin must exit after GRPCController.Shutdown"
    );
    assert!(status.unwrap().success());
    let socket = std::path::Path::new(&plugin.handshake.address);
    assert!(!socket.exists(), "socket directory is removed on exit");
}

#[test]
fn exits_when_the_process_that_started_it_dies() {
    // A shell plays Terraform: it starts the plugin and is then killed without a word.
    let identity = ClientIdentity::generate();
    let scratch = tempfile::tempdir().unwrap();
    let stderr_path = scratch.path().join("stderr.log");
    let mut parent = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" & echo "pid $!"; wait"#)
        .arg(provider_binary())
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", &identity.certificate_pem)
        .env("TF_LOG_PROVIDER", "debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    use std::io::BufRead as _;
    let mut lines = std::io::BufReader::new(parent.stdout.take().unwrap()).lines();
    let mut pid = None;
    let mut handshake = None;
    while pid.is_none() || handshake.is_none() {
        let line = lines.next().expect("plugin output").unwrap();
        if let Some(number) = line.strip_prefix("pid ") {
            pid = Some(number.trim().parse::<i32>().unwrap());
        } else {
            handshake = Some(Handshake::parse(&line));
        }
    }
    let pid = pid.unwrap();
    parent.kill().unwrap();
    parent.wait().unwrap();
    let proc_path = format!("/proc/{pid}");
    let started = std::time::Instant::now();
    while std::path::Path::new(&proc_path).exists() && started.elapsed() < Duration::from_secs(10) {
        // A zombie until init reaps it; its state says so.
        let status = std::fs::read_to_string(format!("{proc_path}/status")).unwrap_or_default();
        if status.contains("State:\tZ") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = std::fs::read_to_string(format!("{proc_path}/status")).unwrap_or_default();
    assert!(
        status.is_empty() || status.contains("State:\tZ"),
        "plugin {pid} still running after its parent died; its log:\n{}",
        std::fs::read_to_string(&stderr_path).unwrap_or_default()
    );
    assert!(!std::path::Path::new(&handshake.unwrap().address).exists());
}

fn echo_type() -> Type {
    let tags = Type::List(Box::new(Type::Object(
        [("key".to_owned(), Type::String)].into(),
    )));
    Type::Object(
        [
            ("string".to_owned(), Type::String),
            ("number".to_owned(), Type::Number),
            ("bool".to_owned(), Type::Bool),
            ("list".to_owned(), Type::List(Box::new(Type::String))),
            ("set".to_owned(), Type::Set(Box::new(Type::Number))),
            ("map".to_owned(), Type::Map(Box::new(Type::Bool))),
            (
                "tuple".to_owned(),
                Type::Tuple(vec![Type::String, Type::Number, Type::Bool]),
            ),
            (
                "object".to_owned(),
                Type::Object([("name".to_owned(), Type::String), ("tags".to_owned(), tags)].into()),
            ),
            ("dynamic".to_owned(), Type::Dynamic),
            (
                "nested".to_owned(),
                Type::List(Box::new(Type::Object(
                    [
                        ("id".to_owned(), Type::String),
                        ("size".to_owned(), Type::Number),
                    ]
                    .into(),
                ))),
            ),
            ("secret".to_owned(), Type::String),
        ]
        .into(),
    )
}

fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn echo_values() -> Vec<Value> {
    let all_null = Value::null_object(&echo_type());
    let full = object(vec![
        ("string", Value::string("héllo, wörld")),
        ("number", Value::Number(Number::Int(-42))),
        ("bool", Value::Bool(true)),
        (
            "list",
            Value::List(vec![Value::string("a"), Value::Unknown, Value::Null]),
        ),
        (
            "set",
            Value::Set(vec![
                Value::Number(Number::Float(1.5)),
                Value::Number(Number::Int(i64::MAX)),
                Value::Number(Number::Big("123456789012345678901234567890".into())),
            ]),
        ),
        (
            "map",
            Value::Map(
                [
                    ("x".to_owned(), Value::Bool(false)),
                    ("y".to_owned(), Value::Unknown),
                ]
                .into(),
            ),
        ),
        (
            "tuple",
            Value::Tuple(vec![
                Value::string(""),
                Value::Number(Number::Int(0)),
                Value::Null,
            ]),
        ),
        (
            "object",
            object(vec![
                ("name", Value::string("o")),
                (
                    "tags",
                    Value::List(vec![object(vec![("key", Value::string("k"))])]),
                ),
            ]),
        ),
        (
            "dynamic",
            Value::Dynamic(
                Type::Object([("inner".to_owned(), Type::List(Box::new(Type::String)))].into()),
                Box::new(object(vec![(
                    "inner",
                    Value::List(vec![Value::string("deep")]),
                )])),
            ),
        ),
        (
            "nested",
            Value::List(vec![object(vec![
                ("id", Value::string("n1")),
                ("size", Value::Unknown),
            ])]),
        ),
        ("secret", Value::Null),
    ]);
    let unknowns = object(vec![
        ("string", Value::Unknown),
        ("number", Value::Unknown),
        ("bool", Value::Unknown),
        ("list", Value::Unknown),
        ("set", Value::Unknown),
        ("map", Value::Unknown),
        ("tuple", Value::Unknown),
        ("object", Value::Unknown),
        ("dynamic", Value::Unknown),
        ("nested", Value::Unknown),
        ("secret", Value::Null),
    ]);
    vec![all_null, full, unknowns]
}

#[tokio::test]
async fn every_value_shape_round_trips_through_the_plugin() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let ty = echo_type();
    for value in echo_values() {
        let encoded = value::encode_msgpack(&value, &ty).unwrap();
        let response = client
            .plan_resource_change(wire::plan_resource_change::Request {
                type_name: "fixture_echo".into(),
                prior_state: None,
                proposed_new_state: Some(wire::DynamicValue {
                    msgpack: encoded.clone(),
                    json: vec![],
                }),
                config: Some(wire::DynamicValue {
                    msgpack: encoded,
                    json: vec![],
                }),
                prior_private: b"private-bytes".to_vec(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            response.diagnostics.is_empty(),
            "{:?}",
            response.diagnostics
        );
        let planned = value::decode_msgpack(&response.planned_state.unwrap().msgpack, &ty).unwrap();
        assert_eq!(planned, value, "value changed crossing the plugin");
        assert_eq!(response.planned_private, b"private-bytes");
    }
}

#[tokio::test]
async fn write_only_values_never_come_back_from_the_plugin() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let ty = echo_type();
    let Value::Object(mut attributes) = Value::null_object(&ty) else {
        unreachable!()
    };
    attributes.insert("secret".into(), Value::string("hunter2-hunter2"));
    let config = Value::Object(attributes);
    let encoded = value::encode_msgpack(&config, &ty).unwrap();
    let response = client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: "fixture_echo".into(),
            proposed_new_state: Some(wire::DynamicValue {
                msgpack: encoded.clone(),
                json: vec![],
            }),
            config: Some(wire::DynamicValue {
                msgpack: encoded,
                json: vec![],
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let planned = value::decode_msgpack(&response.planned_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(planned.get("secret"), Some(&Value::Null));
}

#[tokio::test]
async fn garbage_values_get_a_diagnostic_not_a_crash() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let response = client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: "fixture_echo".into(),
            proposed_new_state: Some(wire::DynamicValue {
                msgpack: vec![0x81, 0xa3, b'n', b'o'],
                json: vec![],
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.diagnostics.len(), 1);
    assert_eq!(response.diagnostics[0].severity, 1);
    // Still alive.
    client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap();
}

#[tokio::test]
async fn a_panicking_handler_becomes_an_error_diagnostic() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let ty = Type::Object([("name".to_owned(), Type::String)].into());
    let config = value::encode_msgpack(&object(vec![("name", Value::string("x"))]), &ty).unwrap();
    let response = client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: "fixture_panic".into(),
            proposed_new_state: Some(wire::DynamicValue {
                msgpack: config.clone(),
                json: vec![],
            }),
            config: Some(wire::DynamicValue {
                msgpack: config,
                json: vec![],
            }),
            ..Default::default()
        })
        .await
        .expect("a panic is an answer, not a broken connection")
        .into_inner();
    assert_eq!(response.diagnostics.len(), 1);
    let diagnostic = &response.diagnostics[0];
    assert_eq!(diagnostic.severity, 1, "error");
    assert!(
        diagnostic.detail.contains("always panics while planning"),
        "{diagnostic:?}"
    );
    // The plugin serves the next request.
    let schema = client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.resource_schemas.contains_key("fixture_echo"));
}

#[tokio::test]
async fn stop_provider_cancels_in_flight_work() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let channel = plugin.connect().await.unwrap();
    let mut planner = ProviderClient::new(channel.clone());
    let ty = Type::Object([("name".to_owned(), Type::String)].into());
    let config = value::encode_msgpack(&object(vec![("name", Value::string("x"))]), &ty).unwrap();
    let slow = tokio::spawn(async move {
        planner
            .plan_resource_change(wire::plan_resource_change::Request {
                type_name: "fixture_slow".into(),
                proposed_new_state: Some(wire::DynamicValue {
                    msgpack: config.clone(),
                    json: vec![],
                }),
                config: Some(wire::DynamicValue {
                    msgpack: config,
                    json: vec![],
                }),
                ..Default::default()
            })
            .await
    });
    // Let the plan start before stopping it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut stopper = ProviderClient::new(channel.clone());
    stopper
        .stop_provider(wire::stop_provider::Request {})
        .await
        .unwrap();
    let response = tokio::time::timeout(Duration::from_secs(10), slow)
        .await
        .expect("the hanging plan must be cancelled")
        .unwrap()
        .unwrap()
        .into_inner();
    assert!(response.diagnostics[0].summary.contains("cancelled"));
    // The provider keeps serving new requests after a stop.
    stopper
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap();
}

#[tokio::test]
async fn stored_json_state_is_upgraded_to_msgpack_dropping_removed_attributes() {
    let plugin = PluginProcess::start(fixture_binary(), &[]);
    let mut client = ProviderClient::new(plugin.connect().await.unwrap());
    let stored = br#"{"string":"kept","number":7,"attribute_removed_since":"x","list":["a"]}"#;
    let response = client
        .upgrade_resource_state(wire::upgrade_resource_state::Request {
            type_name: "fixture_echo".into(),
            version: 1,
            raw_state: Some(wire::RawState {
                json: stored.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    let upgraded =
        value::decode_msgpack(&response.upgraded_state.unwrap().msgpack, &echo_type()).unwrap();
    assert_eq!(upgraded.get("string"), Some(&Value::string("kept")));
    assert_eq!(upgraded.get("number"), Some(&Value::Number(Number::Int(7))));
    assert_eq!(upgraded.get("bool"), Some(&Value::Null));

    let newer = client
        .upgrade_resource_state(wire::upgrade_resource_state::Request {
            type_name: "fixture_echo".into(),
            version: 2,
            raw_state: Some(wire::RawState {
                json: stored.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(newer.diagnostics[0].summary.contains("newer provider"));

    let garbage = client
        .upgrade_resource_state(wire::upgrade_resource_state::Request {
            type_name: "fixture_echo".into(),
            version: 1,
            raw_state: Some(wire::RawState {
                json: b"{not json".to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(garbage.diagnostics[0].severity, 1);
}

/// `-debug` serves on a socket in a private folder; however the session ends short of SIGKILL
/// (Ctrl-C, `kill`, a closed terminal), the folder goes with it.
#[test]
fn a_debug_session_removes_its_socket_folder_on_every_stop_signal() {
    use std::io::{BufRead as _, BufReader};
    for signal in ["INT", "TERM", "HUP"] {
        let mut child = Command::new(provider_binary())
            .arg("-debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the provider with -debug");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut socket = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read the reattach instructions");
            if let Some(start) = line.find("\"Addr\":{") {
                let addr = &line[start..];
                let string_at = addr.find("\"String\":\"").expect("an address string") + 10;
                let end = addr[string_at..].find('"').expect("end of the address");
                socket = Some(std::path::PathBuf::from(&addr[string_at..string_at + end]));
                break;
            }
        }
        let socket = socket.expect("the reattach line names the socket");
        let folder = socket.parent().expect("the socket's folder").to_owned();
        assert!(
            folder.exists(),
            "{signal}: {} should exist while serving",
            folder.display()
        );
        let status = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let exit = loop {
            if let Some(exit) = child.try_wait().expect("wait for the provider") {
                break exit;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{signal}: the provider should stop"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(
            exit.success(),
            "{signal}: clean exit expected, got {exit:?}"
        );
        assert!(
            !folder.exists(),
            "{signal}: {} should be removed",
            folder.display()
        );
    }
}

/// The names of a block's sensitive attributes, nested blocks included.
fn sensitive_paths(block: &wire::schema::Block) -> Vec<String> {
    let mut paths: Vec<String> = block
        .attributes
        .iter()
        .filter(|attribute| attribute.sensitive)
        .map(|attribute| attribute.name.clone())
        .collect();
    for nested in &block.block_types {
        if let Some(inner) = nested.block.as_ref() {
            paths.extend(
                sensitive_paths(inner)
                    .into_iter()
                    .map(|path| format!("{}.{path}", nested.type_name)),
            );
        }
    }
    paths
}

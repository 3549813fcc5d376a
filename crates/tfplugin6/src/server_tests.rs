//! Unit tests of `server.rs`, kept beside it so that the module itself stays readable.

use super::*;
use crate::resource::{ApplyResponse, ImportResponse, ListClosed, PlanResponse, ReadResponse};
use crate::schema::Attribute;

/// A resource that implements only what 6.8 required, so every 6.9/6.10 default is in play.
struct Plain;

#[async_trait::async_trait]
impl Resource for Plain {
    fn type_name(&self) -> &'static str {
        "test_plain"
    }
    fn schema(&self) -> Schema {
        Schema::new(0, "", vec![Attribute::string("name").optional()])
    }
    async fn read(&self, _: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        unreachable!()
    }
    async fn plan(&self, _: PlanRequest) -> Result<PlanResponse, Diagnostics> {
        unreachable!()
    }
    async fn apply(&self, _: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        unreachable!()
    }
    async fn import(&self, _: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        unreachable!()
    }
}

/// A list resource named after `test_plain`, which has no identity.
struct Orphan;

#[async_trait::async_trait]
impl ListResource for Orphan {
    fn type_name(&self) -> &'static str {
        "test_plain"
    }
    fn schema(&self) -> Schema {
        Schema::default()
    }
    async fn list(&self, _: ListRequest, _: ListSink) -> Result<(), Diagnostics> {
        Ok(())
    }
}

struct TestProvider {
    with_list: bool,
}

#[async_trait::async_trait]
impl Provider for TestProvider {
    fn schema(&self) -> Schema {
        Schema::default()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Plain)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        if self.with_list {
            vec![Arc::new(Orphan)]
        } else {
            Vec::new()
        }
    }
    async fn configure(&self, _: ConfigureRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }
}

#[test]
fn a_6_8_provider_advertises_nothing_new() {
    let service = ProviderService::new(Arc::new(TestProvider { with_list: false }));
    assert!(service.schema_response.diagnostics.is_empty());
    assert!(service.identity_schemas.is_empty());
    assert!(service.schema_response.list_resource_schemas.is_empty());
    assert!(service.capabilities.plan_destroy);
    assert!(!service.capabilities.move_resource_state);
    assert!(!service.capabilities.generate_resource_config);
}

#[test]
fn a_list_resource_without_an_identity_to_stream_is_refused_when_terraform_loads_the_schema() {
    let service = ProviderService::new(Arc::new(TestProvider { with_list: true }));
    let diagnostics = &service.schema_response.diagnostics;
    assert_eq!(diagnostics.len(), 1);
    assert!(diagnostics[0].detail.contains("test_plain"));
    assert!(service.list_resources.is_empty());
}

#[test]
fn the_list_encoder_counts_objects_not_warnings_against_the_limit() {
    let identity_type = Type::object([("name", Type::String)]);
    let mut encoder = ListEncoder {
        identity_type: identity_type.clone(),
        value_type: Type::object([("name", Type::String)]),
        schema: Plain.schema(),
        include_resource_object: false,
        remaining: Some(2),
    };
    let (_, last) = encoder.encode(ListEvent::diagnostic(Diagnostic::warning("w", "w")));
    assert!(!last);
    assert_eq!(encoder.remaining, Some(2));
    let found = ListEvent::found(Value::object([("name", Value::string("a"))]), "a")
        .with_resource_object(Value::object([("name", Value::string("a"))]));
    let (event, last) = encoder.encode(found);
    assert!(!last);
    assert!(event.identity.is_some());
    assert!(event.resource_object.is_none(), "not asked for");
    assert_eq!(encoder.remaining, Some(1));
    // An identity that does not fit the schema is an error that ends the stream.
    let (event, last) = encoder.encode(ListEvent::found(
        Value::object([("nope", Value::Unknown)]),
        "bad",
    ));
    assert!(last);
    assert!(event.identity.is_none());
    assert_eq!(event.diagnostic[0].severity, 1);
}

#[tokio::test]
async fn a_sink_reports_when_terraform_stopped_reading() {
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    let sink = ListSink::new(sender);
    drop(receiver);
    assert!(sink.is_closed());
    assert_eq!(
        sink.send(ListEvent::diagnostic(Diagnostic::warning("w", "w")))
            .await,
        Err(ListClosed)
    );
}

//! `okta_msp_audit_events`: the System Log events of one account, as actor or as target, in a time
//! window, optionally of some event types only. Every page is read (1000 events a call), oldest
//! first; the filtering happens in Okta.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::okta::{LogEvent, LogQuery};
use tfplugin6::schema::Schema;
use tfplugin6::{
    AttributePath, DataSource, Diagnostic, Diagnostics, ReadDataRequest, ReadDataResponse,
    ValidateRequest, Value,
};

use crate::provider::{ProviderContext, diag};

mod model;
mod schema;

use model::{AuditEventsConfig, EventEntry, attr};
pub use schema::schema;

pub const TYPE_NAME: &str = "okta_msp_audit_events";

/// The window when `since` is not given: this long before `until`, as Okta does.
const DEFAULT_WINDOW: Duration = Duration::days(7);
/// Events a page (Okta's maximum).
const PAGE_SIZE: u32 = 1000;

pub struct AuditEventsDataSource {
    shared: Arc<ProviderContext>,
}

impl AuditEventsDataSource {
    pub fn new(shared: Arc<ProviderContext>) -> AuditEventsDataSource {
        AuditEventsDataSource { shared }
    }
}

/// A time bound of the configuration: absent, not known yet, or an instant.
enum Bound {
    Unset,
    Unknown,
    At(OffsetDateTime),
}

/// Reads `since` or `until`; an unparsable value is an error at its attribute.
fn bound(config: &Value, attribute: &str) -> Result<Bound, Diagnostic> {
    match config.get(attribute) {
        None | Some(Value::Null) => Ok(Bound::Unset),
        Some(Value::Unknown) => Ok(Bound::Unknown),
        Some(value) => {
            let Some(text) = value.as_str() else {
                return Ok(Bound::Unknown);
            };
            OffsetDateTime::parse(text.trim(), &Rfc3339)
                .map(Bound::At)
                .map_err(|_| {
                    diag::invalid_argument(
                        AttributePath::attributes([attribute]),
                        format!("Invalid {attribute}"),
                        format!("{text:?} is not an RFC 3339 timestamp. Write a date, a time and a zone, for example \"2025-03-01T00:00:00Z\" or \"2025-03-01T09:30:00+01:00\"; Terraform's timestamp() and timeadd() produce this format."),
                    )
                })
        }
    }
}

/// Static checks: URL shape, both bounds RFC 3339 and in order, an account id and event types
/// that Okta's filter can carry. Unknown values are checked at read time.
fn validate_config(config: &Value) -> Diagnostics {
    let arguments = AuditEventsConfig::from_value(config);
    let mut diagnostics = diag::org_url_problems(arguments.org_url.known_str(), attr::ORG_URL);
    let since = bound(config, attr::SINCE);
    let until = bound(config, attr::UNTIL);
    if let (Ok(Bound::At(since)), Ok(Bound::At(until))) = (&since, &until)
        && since > until
    {
        diagnostics.push(diag::invalid_argument(
            AttributePath::attributes([attr::SINCE]),
            "since is after until",
            format!(
                "The window starts at {} but ends at {}: nothing can match. Swap them, or move since earlier.",
                rfc3339(*since),
                rfc3339(*until)
            ),
        ));
    }
    for result in [since, until] {
        if let Err(diagnostic) = result {
            diagnostics.push(diagnostic);
        }
    }
    if let Some(id) = arguments.account_id.known_str()
        && !is_okta_id(id)
    {
        diagnostics.push(diag::invalid_argument(
            AttributePath::attributes([attr::ACCOUNT_ID]),
            "Invalid account_id",
            format!("{id:?} is not an Okta user id (letters and digits, such as 00u1abcdEFGH2ijk3l4). Pass the id of the account, for example okta_msp_service_account.radius.id, or an id from the accounts of data.okta_msp_service_accounts."),
        ));
    }
    if let Some(Value::List(types)) = config.get(attr::EVENT_TYPES) {
        for (index, event_type) in types.iter().enumerate() {
            if let Some(text) = event_type.as_str()
                && !is_event_type(text)
            {
                diagnostics.push(diag::invalid_argument(
                    AttributePath::attributes([attr::EVENT_TYPES]).index(index as i64),
                    "Invalid event type",
                    format!("{text:?} is not a System Log event type: those are lower-case words joined by dots, such as \"user.lifecycle.create\" or \"user.account.privilege.grant\"."),
                ));
            }
        }
    }
    diagnostics
}

fn is_okta_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_event_type(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

fn rfc3339(moment: OffsetDateTime) -> String {
    moment
        .to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Okta's filter for the account as actor or target, and of the given types: `(actor.id eq "X"
/// or target.id eq "X") and (eventType eq "a" or eventType eq "b")`.
fn filter(account_id: &str, event_types: &[String]) -> String {
    let id = literal(account_id);
    let mut expression = format!("(actor.id eq {id} or target.id eq {id})");
    if !event_types.is_empty() {
        let types: Vec<String> = event_types
            .iter()
            .map(|event_type| format!("eventType eq {}", literal(event_type)))
            .collect();
        expression.push_str(&format!(" and ({})", types.join(" or ")));
    }
    expression
}

/// A filter string literal (validation already keeps quotes out; this keeps them out anyway).
fn literal(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Whether the event concerns the account and has one of the types (Okta filtered already; this
/// keeps the result exact whatever the server's filter support).
fn concerns(event: &LogEvent, account_id: &str, event_types: &[String]) -> bool {
    let is_account = |id: &Option<String>| id.as_deref() == Some(account_id);
    let involved = event
        .actor
        .as_ref()
        .is_some_and(|actor| is_account(&actor.id))
        || event.target.iter().any(|target| is_account(&target.id));
    let wanted = event_types.is_empty()
        || event
            .event_type
            .as_deref()
            .is_some_and(|t| event_types.iter().any(|wanted| wanted == t));
    involved && wanted
}

fn event_value(event: &LogEvent) -> Value {
    let actor = event.actor.as_ref();
    let outcome = event.outcome.as_ref();
    EventEntry {
        uuid: event.uuid.clone(),
        published: event.published.clone(),
        event_type: event.event_type.clone(),
        severity: event.severity.clone(),
        actor_id: actor.and_then(|a| a.id.clone()),
        actor_login: actor.and_then(|a| a.alternate_id.clone()),
        target_ids: event
            .target
            .iter()
            .filter_map(|target| target.id.clone())
            .collect(),
        outcome: outcome.and_then(|o| o.result.clone()),
        outcome_reason: outcome.and_then(|o| o.reason.clone()),
        display_message: event.display_message.clone(),
        roles: role_names(event).into_iter().map(str::to_owned).collect(),
        privileges_after: privileges_after(event).map(str::to_owned),
    }
    .into_value()
}

/// The roles a privilege event names: Okta lists each as a target of type `ROLE` whose display
/// name is the role's label (the other targets are the user and a marker such as `ROLE_ASSIGNED`).
fn role_names(event: &LogEvent) -> Vec<&str> {
    event
        .target
        .iter()
        .filter(|target| target.entity_type.as_deref() == Some("ROLE"))
        .filter_map(|target| target.display_name.as_deref())
        .collect()
}

/// `debugContext.debugData.privilegeGranted`: Okta's list of what the user holds after a
/// privilege change, a comma-separated string of role labels.
fn privileges_after(event: &LogEvent) -> Option<&str> {
    event
        .other
        .get("debugContext")?
        .get("debugData")?
        .get("privilegeGranted")?
        .as_str()
}

#[async_trait]
impl DataSource for AuditEventsDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        validate_config(&request.config).into_result()
    }

    async fn read(&self, request: ReadDataRequest) -> Result<ReadDataResponse, Diagnostics> {
        let config = request.config;
        // Values that were unknown at validate time are known now: check them again.
        let problems = validate_config(&config);
        if problems.has_errors() {
            return Err(problems);
        }
        let until = match bound(&config, attr::UNTIL) {
            Ok(Bound::At(until)) => until,
            // Now, rounded up to a whole second so that nothing that already happened is left
            // out of the window.
            _ => {
                let now = OffsetDateTime::now_utc();
                now.replace_nanosecond(0).unwrap_or(now) + Duration::seconds(1)
            }
        };
        let since = match bound(&config, attr::SINCE) {
            Ok(Bound::At(since)) => since,
            _ => until - DEFAULT_WINDOW,
        };
        if since > until {
            return Err(diag::invalid_argument(
                AttributePath::attributes([attr::SINCE]),
                "since is in the future",
                format!(
                    "The window starts at {} but ends at {} (now): nothing can match yet. Move since earlier, or set until.",
                    rfc3339(since),
                    rfc3339(until)
                ),
            )
            .into());
        }
        let arguments = AuditEventsConfig::from_value(&config);
        let account_id = arguments
            .account_id
            .known_str()
            .unwrap_or_default()
            .to_owned();
        let event_types: Vec<String> = config
            .get(attr::EVENT_TYPES)
            .and_then(Value::as_elements)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();

        let provider_config = self
            .shared
            .config()
            .map_err(|e| diag::access(e, attr::ORG_API_TOKEN))?;
        let org_url = arguments.org_url.known_str().unwrap_or_default();
        let token = arguments.org_api_token.known_str();
        let org = self
            .shared
            .org_access
            .reach(
                provider_config,
                org_url,
                token,
                arguments.org_client_id.known_str(),
            )
            .map_err(|e| diag::access(e, attr::ORG_API_TOKEN))?;
        let query = LogQuery {
            since: Some(since),
            until: Some(until),
            filter: Some(filter(&account_id, &event_types)),
            limit: Some(PAGE_SIZE),
        };
        let events = org
            .client
            .list_log_events(&query)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the System Log", &e)))?;
        let events: Vec<Value> = events
            .iter()
            .filter(|event| concerns(event, &account_id, &event_types))
            .map(event_value)
            .collect();

        let mut state = match config {
            Value::Object(attributes) => attributes,
            _ => BTreeMap::new(),
        };
        // A configured bound is kept as written (Terraform requires that); a default is reported.
        if state.get(attr::SINCE).is_none_or(Value::is_null) {
            state.insert(attr::SINCE.into(), Value::string(rfc3339(since)));
        }
        if state.get(attr::UNTIL).is_none_or(Value::is_null) {
            state.insert(attr::UNTIL.into(), Value::string(rfc3339(until)));
        }
        state.insert(attr::EVENTS.into(), Value::List(events));
        Ok(ReadDataResponse {
            state: Value::Object(state),
            warnings: Diagnostics::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    #[test]
    fn the_filter_names_actor_and_target_and_the_types() {
        assert_eq!(
            filter("00u1", &[]),
            r#"(actor.id eq "00u1" or target.id eq "00u1")"#
        );
        assert_eq!(
            filter(
                "00u1",
                &[
                    "user.lifecycle.create".into(),
                    "user.account.privilege.grant".into()
                ]
            ),
            r#"(actor.id eq "00u1" or target.id eq "00u1") and (eventType eq "user.lifecycle.create" or eventType eq "user.account.privilege.grant")"#
        );
        assert_eq!(literal(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn bounds_must_be_rfc3339_and_in_order() {
        let ok = config(&[
            ("since", Value::string("2025-03-01T00:00:00Z")),
            ("until", Value::string("2025-03-02T00:00:00+01:00")),
        ]);
        assert!(validate_config(&ok).is_empty());
        let unknown = config(&[("since", Value::Unknown), ("until", Value::Unknown)]);
        assert!(validate_config(&unknown).is_empty());
        let bad = config(&[("since", Value::string("yesterday"))]);
        let diagnostics: Vec<_> = validate_config(&bad).into_iter().collect();
        assert_eq!(diagnostics.len(), 1);
        assert!(format!("{diagnostics:?}").contains("since"));
        let reversed = config(&[
            ("since", Value::string("2025-03-02T00:00:00Z")),
            ("until", Value::string("2025-03-01T00:00:00Z")),
        ]);
        assert!(validate_config(&reversed).has_errors());
    }

    #[test]
    fn ids_and_event_types_are_checked() {
        let bad = config(&[
            ("account_id", Value::string("oktaradius@msp.example")),
            (
                "event_types",
                Value::list([
                    Value::string("user.lifecycle.create"),
                    Value::string("Nope!"),
                ]),
            ),
        ]);
        assert_eq!(validate_config(&bad).into_iter().count(), 2);
        assert!(is_okta_id("00u1abcdEFGH2ijk3l4"));
        assert!(is_event_type("user.account.privilege.grant"));
        assert!(!is_event_type("user..create"));
    }
}

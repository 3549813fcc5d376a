//! The System Log.

use serde::Deserialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::client::{Call, Client};
use super::error::OktaError;

/// One System Log event: the fields the provider reports, the rest in `other`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEvent {
    pub uuid: String,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub event_type: Option<String>,
    #[serde(default)]
    pub display_message: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub actor: Option<LogEntity>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub target: Vec<LogEntity>,
    #[serde(default)]
    pub outcome: Option<LogOutcome>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An actor or a target.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntity {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, rename = "type")]
    pub entity_type: Option<String>,
    #[serde(default)]
    pub alternate_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LogOutcome {
    /// `SUCCESS`, `FAILURE`, `SKIPPED`, `ALLOW`, `DENY`, …
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A bounded System Log query.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// Okta's default is seven days before `until`; it keeps 90 days.
    pub since: Option<OffsetDateTime>,
    /// Defaults to now. A query without `until` is a polling query whose last page still links
    /// to a next one, so the client always sends one.
    pub until: Option<OffsetDateTime>,
    /// An Okta filter expression, e.g. `actor.id eq "00u…" or target.id eq "00u…"`.
    pub filter: Option<String>,
    /// Page size, 1..=1000 (Okta's default is 100).
    pub limit: Option<u32>,
}

impl Client {
    /// `GET /api/v1/logs`, oldest first, every page.
    pub async fn list_log_events(&self, query: &LogQuery) -> Result<Vec<LogEvent>, OktaError> {
        self.fetch_all(log_call(query)?, "list of System Log events")
            .await
    }

    /// The events of `query`, or `None` when they fill more than `max_pages` pages: a caller
    /// that only wants to know whether little happened stops reading there.
    pub async fn list_log_events_within(
        &self,
        query: &LogQuery,
        max_pages: u32,
    ) -> Result<Option<Vec<LogEvent>>, OktaError> {
        let mut pages = self.pages::<LogEvent>(log_call(query)?, "list of System Log events");
        let mut events = Vec::new();
        for _ in 0..max_pages.max(1) {
            match pages.next().await? {
                Some(page) => events.extend(page),
                None => return Ok(Some(events)),
            }
            if !pages.has_more() {
                return Ok(Some(events));
            }
        }
        Ok(None)
    }
}

/// The request of `query`, oldest first; `until` is always sent (see [`LogQuery::until`]).
fn log_call(query: &LogQuery) -> Result<Call, OktaError> {
    let until = query.until.unwrap_or_else(OffsetDateTime::now_utc);
    Ok(Call::get("/api/v1/logs", "/api/v1/logs".to_owned())
        .query_opt("since", query.since.map(timestamp).transpose()?)
        .query("until", timestamp(until)?)
        .query_opt("filter", query.filter.as_ref())
        .query_opt("limit", query.limit)
        .query("sortOrder", "ASCENDING"))
}

/// RFC 3339 in UTC with milliseconds, the precision Okta documents for `since` and `until`
/// (`2026-11-30T10:00:00.123Z`); a finer fraction is cut, never rounded up past `until`.
fn timestamp(moment: OffsetDateTime) -> Result<String, OktaError> {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    moment
        .to_offset(time::UtcOffset::UTC)
        .format(format)
        .map_err(|error| OktaError::Decode {
            what: "System Log time bound".to_owned(),
            detail: error.to_string(),
        })
}

fn null_as_empty<'de, D>(deserializer: D) -> Result<Vec<LogEntity>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(Option::<Vec<LogEntity>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::scripted_server::{ScriptedServer, answer};

    const EVENT: &str =
        r#"[{"uuid":"e","published":"2026-11-30T10:00:00.000Z","eventType":"zone.update"}]"#;

    #[tokio::test]
    async fn a_bounded_log_read_gives_no_answer_rather_than_a_partial_one() {
        let server = ScriptedServer::start(Vec::new()).await;
        let org = server.org_url();
        let next = |cursor: &str| format!("<{org}/api/v1/logs?after={cursor}>; rel=\"next\"");
        // Three linked pages: a bound of two answers `None`, a bound of three every event.
        let script = || {
            [
                answer(200, EVENT).header("link", next("1")),
                answer(200, EVENT).header("link", next("2")),
                answer(200, EVENT),
            ]
        };
        server.script(script());
        let client = server.client(crate::okta::ClientOptions::default());
        let query = LogQuery::default();
        assert_eq!(
            client.list_log_events_within(&query, 2).await.unwrap(),
            None
        );
        assert_eq!(server.received().len(), 2, "stops at the bound");
        let server = ScriptedServer::start(Vec::new()).await;
        server.script(script());
        let client = server.client(crate::okta::ClientOptions::default());
        let events = client.list_log_events_within(&query, 3).await.unwrap();
        assert_eq!(events.map(|events| events.len()), Some(3));
    }

    #[test]
    fn events_are_read_tolerantly() {
        let body = r#"[{"uuid":"dc9fd3c0-598c-11ef-8478-2b7584bf8d5a","published":"2024-08-13T15:58:20.353Z",
            "eventType":"user.account.privilege.grant","displayMessage":"Grant user privilege",
            "severity":"INFO","actor":{"id":"00u1","type":"User","alternateId":"admin@acme.com","detailEntry":null},
            "target":[{"id":"00u2","type":"User"},{"id":"ROLE_ASSIGNED","type":"ROLE_ASSIGNED"}],
            "outcome":{"result":"SUCCESS","reason":null},
            "transaction":{"type":"WEB","id":"x","detail":{"requestApiTokenId":"00T1"}}},
            {"uuid":"2","target":null}]"#;
        let events: Vec<LogEvent> = serde_json::from_str(body).unwrap();
        assert_eq!(events[0].target.len(), 2);
        assert_eq!(
            events[0].actor.as_ref().unwrap().alternate_id.as_deref(),
            Some("admin@acme.com")
        );
        assert_eq!(
            events[0].other["transaction"]["detail"]["requestApiTokenId"],
            "00T1"
        );
        assert!(events[1].target.is_empty());
    }

    #[test]
    fn time_bounds_are_sent_in_utc() {
        let moment = time::macros::datetime!(2025-03-13 23:44:04 +02:00);
        assert_eq!(timestamp(moment).unwrap(), "2025-03-13T21:44:04.000Z");
        // Milliseconds, cut rather than rounded (a rounded `until` could pass the real one).
        let fine = time::macros::datetime!(2025-03-13 21:44:04.573_915_355 UTC);
        assert_eq!(timestamp(fine).unwrap(), "2025-03-13T21:44:04.573Z");
    }
}

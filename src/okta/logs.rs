//! The System Log.

use serde::Deserialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::client::{Call, Client};
use super::error::OktaError;
use super::link::find_rel;

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

    /// The events of a bounded query (`since` and `until` set), checked page by page; see
    /// [`BoundedLog`] for what counts as an answer understood. Reads at most `max_pages`
    /// pages. A failed request is an error; an answer not understood is
    /// [`BoundedLog::NotUnderstood`], never a shorter list.
    pub async fn read_bounded_log(
        &self,
        query: &LogQuery,
        max_pages: u32,
    ) -> Result<BoundedLog, OktaError> {
        let (Some(since), Some(until)) = (query.since, query.until) else {
            return Ok(BoundedLog::NotUnderstood(
                "the query is not bounded (since and until)".to_owned(),
            ));
        };
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT) as usize;
        let window = (unix_millis(since), unix_millis(until));
        let mut call = log_call(query)?;
        let mut url = self.org_url().join(&call.path);
        let mut events = Vec::new();
        for page in 1..=max_pages.max(1) {
            let answer = self.send_to(&call, &url).await?;
            let items = match checked_page(&answer.body, limit, window) {
                Ok(items) => items,
                Err(why) => return Ok(BoundedLog::NotUnderstood(format!("page {page}: {why}"))),
            };
            let full = items.len() == limit;
            events.extend(items);
            if find_link(&answer.headers, "self").is_none() {
                return Ok(BoundedLog::NotUnderstood(format!(
                    "page {page} has no self link"
                )));
            }
            let Some(next) = find_link(&answer.headers, "next") else {
                if full {
                    // Okta links a next page whenever one may follow; a full last page without
                    // one may have been cut short.
                    return Ok(BoundedLog::NotUnderstood(format!(
                        "page {page} is full ({limit} events) and links to no next page"
                    )));
                }
                return Ok(BoundedLog::Complete(events));
            };
            url = self
                .org_url()
                .rebase_api_link(&next)
                .ok_or_else(|| OktaError::Pagination {
                    path: call.template,
                    detail: format!(
                        "page {page} links to {next:?}, which is not an API URL of this org"
                    ),
                })?;
            // The next link carries the whole query (cursor, limit, filters).
            call.query.clear();
        }
        Ok(BoundedLog::TooLong)
    }
}

/// Okta's page size when a query sets none.
const DEFAULT_LIMIT: u32 = 100;

/// What a bounded System Log read found.
///
/// Only an answer read as Okta documents it says what happened; anything else says nothing,
/// and a caller that wants to know whether something changed must look for itself. Understood
/// means, for every page: status 200 (any other is an error); a JSON list of at most `limit`
/// events, each with a `uuid`, an `eventType` and a `published` time in RFC 3339 inside the
/// query's window; a `Link` with `rel="self"`; and a `rel="next"` link to this org's API on
/// every page but the last, which is not full. Okta's pagination answers every listing with
/// a `self` link and adds `next` while more may follow ("follow these Link header values";
/// recorded answers of real orgs carry `self` even on a single page, e.g. network zones and
/// policies); a bounded query's last page has no `next` (Okta's System Log query guide). So an
/// empty list vouches for "nothing happened" only with its `self` link: a bare `[]` is no
/// answer of Okta's listing (a proxy or cache answering for it, say).
#[derive(Debug, Clone, PartialEq)]
pub enum BoundedLog {
    /// Every event of the query, in the order Okta listed them.
    Complete(Vec<DatedEvent>),
    /// More pages than the caller reads.
    TooLong,
    /// An answer not as documented, and why.
    NotUnderstood(String),
}

/// An event whose `published` time was understood.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedEvent {
    /// `published`, Unix milliseconds.
    pub published: i64,
    pub event: LogEvent,
}

/// The events of one page, each checked; `Err` says what is not as documented.
fn checked_page(
    body: &[u8],
    limit: usize,
    (since, until): (i64, i64),
) -> Result<Vec<DatedEvent>, String> {
    let items: Vec<Value> =
        serde_json::from_slice(body).map_err(|_| "the body is not a JSON list".to_owned())?;
    if items.len() > limit {
        return Err(format!(
            "{} events, more than the limit of {limit}",
            items.len()
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let event: LogEvent = serde_json::from_value(item)
                .map_err(|_| format!("event {index} is not a System Log event"))?;
            let named = |value: Option<&str>| value.is_some_and(|text| !text.trim().is_empty());
            if !named(Some(event.uuid.as_str())) || !named(event.event_type.as_deref()) {
                return Err(format!("event {index} lacks a uuid or an eventType"));
            }
            let published = event
                .published
                .as_deref()
                .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
                .map(unix_millis)
                .ok_or_else(|| format!("event {index} has no RFC 3339 published time"))?;
            if published < since || published > until {
                return Err(format!(
                    "event {index} was published outside the query's window"
                ));
            }
            Ok(DatedEvent { published, event })
        })
        .collect()
}

fn find_link(headers: &reqwest::header::HeaderMap, relation: &str) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| find_rel(value, relation))
}

fn unix_millis(moment: OffsetDateTime) -> i64 {
    (moment.unix_timestamp_nanos() / 1_000_000) as i64
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
    use crate::okta::scripted_server::{Scripted, ScriptedServer, answer};

    const EVENT: &str =
        r#"[{"uuid":"e","published":"2026-11-30T10:00:00.000Z","eventType":"zone.update"}]"#;

    /// A bounded query around [`EVENT`], one event a page.
    fn bounded() -> LogQuery {
        LogQuery {
            since: Some(time::macros::datetime!(2026-11-01 00:00 UTC)),
            until: Some(time::macros::datetime!(2026-12-01 00:00 UTC)),
            filter: None,
            limit: Some(1),
        }
    }

    /// What a bounded read of `script` finds (with `limit` events a page).
    async fn read(script: Vec<Scripted>, limit: u32, max_pages: u32) -> (BoundedLog, usize) {
        let server = ScriptedServer::start(Vec::new()).await;
        server.script(script);
        let client = server.client(crate::okta::ClientOptions::default());
        let query = LogQuery {
            limit: Some(limit),
            ..bounded()
        };
        let found = client.read_bounded_log(&query, max_pages).await.unwrap();
        (found, server.received().len())
    }

    fn self_link(org: &str) -> String {
        format!("<{org}/api/v1/logs?limit=1>; rel=\"self\"")
    }

    fn self_and_next(org: &str, cursor: &str) -> String {
        format!(
            "{}, <{org}/api/v1/logs?after={cursor}&limit=1>; rel=\"next\"",
            self_link(org)
        )
    }

    fn not_understood(found: &BoundedLog) -> bool {
        matches!(found, BoundedLog::NotUnderstood(_))
    }

    #[tokio::test]
    async fn a_bounded_log_read_gives_no_answer_rather_than_a_partial_one() {
        let org = ScriptedServer::start(Vec::new())
            .await
            .org_url()
            .to_string();
        // Three linked pages (the last not full: two events of a limit of three would do, but
        // a page of one event with a limit of two is the same rule): a bound of two pages
        // answers TooLong, a bound of three every event.
        let script = || {
            vec![
                answer(200, EVENT).header("link", self_and_next(&org, "1")),
                answer(200, EVENT).header("link", self_and_next(&org, "2")),
                answer(200, "[]").header("link", self_link(&org)),
            ]
        };
        let (found, requests) = read(script(), 1, 2).await;
        assert_eq!(found, BoundedLog::TooLong);
        assert_eq!(requests, 2, "stops at the bound");
        let (found, _) = read(script(), 1, 3).await;
        let BoundedLog::Complete(events) = found else {
            panic!("expected every event, got {found:?}");
        };
        assert_eq!(events.len(), 2);
        let published = time::macros::datetime!(2026-11-30 10:00 UTC);
        assert_eq!(events[0].published, unix_millis(published));
    }

    #[tokio::test]
    async fn an_empty_list_vouches_only_with_okta_s_self_link() {
        let org = ScriptedServer::start(Vec::new())
            .await
            .org_url()
            .to_string();
        let (found, _) = read(
            vec![answer(200, "[]").header("link", self_link(&org))],
            1000,
            5,
        )
        .await;
        assert_eq!(found, BoundedLog::Complete(Vec::new()));
        let (found, _) = read(vec![answer(200, "[]")], 1000, 5).await;
        assert!(not_understood(&found), "{found:?}");
    }

    #[tokio::test]
    async fn a_full_page_without_a_next_link_gives_no_verdict() {
        let org = ScriptedServer::start(Vec::new())
            .await
            .org_url()
            .to_string();
        let (found, _) = read(
            vec![answer(200, EVENT).header("link", self_link(&org))],
            1,
            5,
        )
        .await;
        assert!(not_understood(&found), "{found:?}");
        // The same page with room to spare is the last one.
        let (found, _) = read(
            vec![answer(200, EVENT).header("link", self_link(&org))],
            2,
            5,
        )
        .await;
        assert!(matches!(found, BoundedLog::Complete(events) if events.len() == 1));
    }

    #[tokio::test]
    async fn events_that_cannot_be_read_give_no_verdict() {
        let org = ScriptedServer::start(Vec::new())
            .await
            .org_url()
            .to_string();
        for body in [
            // published missing, not RFC 3339, or outside the window asked for
            r#"[{"uuid":"e","eventType":"zone.update"}]"#,
            r#"[{"uuid":"e","published":"yesterday","eventType":"zone.update"}]"#,
            r#"[{"uuid":"e","published":"2026-11-30 10:00:00","eventType":"zone.update"}]"#,
            r#"[{"uuid":"e","published":"2027-01-30T10:00:00.000Z","eventType":"zone.update"}]"#,
            // no eventType, an empty uuid, not an event, not a list
            r#"[{"uuid":"e","published":"2026-11-30T10:00:00.000Z"}]"#,
            r#"[{"uuid":"","published":"2026-11-30T10:00:00.000Z","eventType":"zone.update"}]"#,
            r#"[{"published":"2026-11-30T10:00:00.000Z","eventType":"zone.update"}]"#,
            r#"[42]"#,
            r#"{"events":[]}"#,
            // more events than the limit
            r#"[{"uuid":"a","published":"2026-11-30T10:00:00.000Z","eventType":"zone.update"},
                {"uuid":"b","published":"2026-11-30T10:00:00.000Z","eventType":"zone.update"},
                {"uuid":"c","published":"2026-11-30T10:00:00.000Z","eventType":"zone.update"}]"#,
        ] {
            let (found, _) = read(
                vec![answer(200, body).header("link", self_link(&org))],
                2,
                5,
            )
            .await;
            assert!(not_understood(&found), "{body}: {found:?}");
        }
    }

    #[tokio::test]
    async fn an_unbounded_query_is_not_read_as_bounded() {
        let server = ScriptedServer::start(Vec::new()).await;
        let client = server.client(crate::okta::ClientOptions::default());
        let found = client
            .read_bounded_log(&LogQuery::default(), 5)
            .await
            .unwrap();
        assert!(not_understood(&found));
        assert!(server.received().is_empty());
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

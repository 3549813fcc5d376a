//! `/api/v1/logs`: the System Log, as far as it has ingested its events (the log lag).

use serde_json::Value;

use super::{Reply, Request};
use crate::error::ApiError;
use crate::query;
use crate::store::{Event, Org};
use crate::util::parse_timestamp;

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let now = request.audit.now;
    let invalid = |name: &str| ApiError::invalid(format!("{name}: Invalid value"));
    let until = match request.query("until") {
        Some(text) => Some(parse_timestamp(text).ok_or_else(|| invalid("until"))?),
        None => None,
    };
    let since = match request.query("since") {
        Some(text) => parse_timestamp(text).ok_or_else(|| invalid("since"))?,
        // A cursor says where to resume; the default window does not apply to it.
        None if request.query("after").is_some() => i64::MIN,
        None => until.unwrap_or(now) - 7 * 24 * 3600 * 1000,
    };
    // `after` and `since` together are a normal request: Okta's spec sets no restriction, and
    // Okta's Python SDK pages by re-sending the same query with the cursor added.
    let limit = match request.query("limit") {
        None => 100,
        Some(text) => match text.parse::<i64>() {
            Ok(value) if (0..=1000).contains(&value) => value as usize,
            _ => return Err(invalid("limit")),
        },
    };
    let descending = match request.query("sortOrder") {
        None | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(_) => return Err(invalid("sortOrder")),
    };
    let after = request.after("logs")?;
    let filter = match request.query("filter") {
        Some(text) => {
            let expression =
                query::parse(text).map_err(|detail| ApiError::InvalidScimFilter { detail })?;
            if expression
                .comparisons()
                .iter()
                .any(|(attribute, _)| *attribute == "published")
            {
                return Err(ApiError::InvalidScimFilter {
                    detail: "published: Filtering on published is not allowed; use since and until"
                        .to_string(),
                });
            }
            Some(expression)
        }
        None => None,
    };
    let keywords: Vec<String> = request
        .query("q")
        .map(|q| q.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default();
    if keywords.len() > 10 || keywords.iter().any(|k| k.chars().count() > 40) {
        return Err(ApiError::invalid(
            "q: At most 10 keywords of at most 40 characters",
        ));
    }
    // Events published within the last `log_ms` are not ingested yet: Okta's System Log is
    // "near real-time", not synchronous. Uniform lag keeps them in publication order.
    let ingested_until = now.saturating_sub(request.lag.log_ms.max(0));
    let ingested = |event: &Event| event.published <= ingested_until;
    let matches = |event: &Event| {
        ingested(event)
            && event.published >= since
            && until.is_none_or(|until| event.published < until)
            && filter.as_ref().is_none_or(|f| f.matches(&event.body))
            && (keywords.is_empty() || {
                let text = event.body.to_string().to_lowercase();
                keywords.iter().all(|keyword| text.contains(keyword))
            })
    };
    let mut items = Vec::new();
    let mut last_seq = None;
    let mut more = false;
    let candidates: Box<dyn Iterator<Item = (&u64, &Event)>> = if descending {
        Box::new(
            org.events
                .iter()
                .rev()
                .filter(|(seq, _)| after.is_none_or(|a| **seq < a)),
        )
    } else {
        Box::new(
            org.events
                .iter()
                .filter(|(seq, _)| after.is_none_or(|a| **seq > a)),
        )
    };
    for (seq, event) in candidates.filter(|(_, event)| matches(event)) {
        if items.len() == limit {
            more = true;
            break;
        }
        last_seq = Some(*seq);
        items.push(event.body.clone());
    }
    let polling = until.is_none() && !descending;
    let next = if polling {
        // Polling requests always have a next link; it resumes after the newest event seen,
        // or the newest ingested one, so an event still on its way is listed by the next poll.
        Some(last_seq.or(after).unwrap_or_else(|| {
            org.events
                .iter()
                .rev()
                .find(|(_, event)| ingested(event))
                .map_or(0, |(seq, _)| *seq)
        }))
    } else if more {
        last_seq
    } else {
        None
    };
    Ok(Reply::page(
        Value::Array(items),
        request.links_without("logs", next, &["since"]),
    ))
}

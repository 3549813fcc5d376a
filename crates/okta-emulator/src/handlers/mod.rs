//! Handlers: parse the request into the store's terms, call the store, shape Okta's JSON. No rule
//! of Okta's lives here; those are in `store`.
//!
//! One module per Okta family, as in `store`; each endpoint is one function, and `routes` is the
//! one index that says which function serves which method and path.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::query::{self, Expression, Operator};
use crate::store::{Audit, Org, Principal, State};
use crate::util::{decode_cursor, encode_cursor, encode_query_component};

pub mod apps;
pub mod authz;
pub mod client_roles;
pub mod credentials;
pub mod group_rules;
pub mod groups;
pub mod iam;
mod json_shapes;
pub mod logs;
pub mod org_settings;
pub mod orgs;
pub mod policies;
pub mod rate_limits;
pub mod role_targets;
pub mod roles;
pub mod tokens;
pub mod users;
pub mod zones;

/// How a route is served. Most endpoints act on the org the path names; the Org Creator API
/// acts on the whole state, since it adds an org; the org's public metadata is served without a
/// token, so without a principal or an audit.
#[derive(Clone, Copy)]
pub enum Handler {
    OnOrg(fn(&mut Org, &Request) -> Result<Reply, ApiError>),
    OnState(fn(&mut State, &Request) -> Result<Reply, ApiError>),
    Public(fn(&str, &Org) -> Reply),
    /// The token endpoint (`/oauth2/v1/token`), which `app` serves with `oauth` itself: it
    /// authenticates the client from the form, not from a token, and answers OAuth's errors.
    Token,
}

/// Serves one authenticated request with its route's handler.
pub fn handle(handler: Handler, state: &mut State, request: &Request) -> Result<Reply, ApiError> {
    match handler {
        Handler::OnState(serve) => serve(state, request),
        Handler::OnOrg(serve) => {
            let org = state
                .org_mut(request.subdomain)
                .ok_or(ApiError::PathNotFound)?;
            serve(org, request)
        }
        Handler::Public(serve) => {
            let org = state.org(request.subdomain).ok_or(ApiError::PathNotFound)?;
            Ok(serve(&request.org_url(), org))
        }
        Handler::Token => Err(ApiError::Internal),
    }
}

/// A parsed request as handlers see it.
pub struct Request<'a> {
    pub base_url: &'a str,
    pub subdomain: &'a str,
    pub path: &'a str,
    pub params: &'a [String],
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    pub principal: &'a Principal,
    pub audit: &'a Audit,
    /// How far `search` and the System Log trail the live state.
    pub lag: super::Lag,
    /// A credential's share of each bucket where the org sets none, in percent.
    pub default_rate_limit_share: u32,
}

impl Request<'_> {
    fn org_url(&self) -> String {
        format!("{}/{}", self.base_url, self.subdomain)
    }

    fn param(&self, index: usize) -> &str {
        self.params.get(index).map(String::as_str).unwrap_or("")
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn bool_query(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.query(name) {
            None => Ok(default),
            Some(value) if value.eq_ignore_ascii_case("true") => Ok(true),
            Some(value) if value.eq_ignore_ascii_case("false") => Ok(false),
            Some(value) => Err(ApiError::invalid(format!(
                "{name}: '{value}' is not a valid boolean"
            ))),
        }
    }

    fn limit(&self, default: usize, maximum: usize) -> Result<usize, ApiError> {
        match self.query("limit") {
            None => Ok(default),
            Some(text) => match text.parse::<i64>() {
                Ok(value) if value >= 1 => Ok((value as usize).min(maximum)),
                _ => Err(ApiError::InvalidPaging),
            },
        }
    }

    fn after(&self, collection: &str) -> Result<Option<u64>, ApiError> {
        match self.query("after") {
            None => Ok(None),
            Some(cursor) => decode_cursor(collection, cursor)
                .map(Some)
                .ok_or(ApiError::InvalidPaging),
        }
    }

    fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(self.body).map_err(|_| ApiError::MalformedBody)
    }

    fn json_object(&self) -> Result<Map<String, Value>, ApiError> {
        match self.json::<Value>()? {
            Value::Object(map) => Ok(map),
            _ => Err(ApiError::MalformedBody),
        }
    }

    /// `Link` headers for a page: `self` always, `next` when there is more.
    fn links(&self, collection: &str, next_after: Option<u64>) -> Vec<String> {
        self.links_without(collection, next_after, &[])
    }

    /// Like [`links`](Self::links), leaving out query parameters that the next page does not
    /// repeat (the System Log's next link resumes from its cursor, not from `since`).
    fn links_without(
        &self,
        collection: &str,
        next_after: Option<u64>,
        dropped: &[&str],
    ) -> Vec<String> {
        let org_url = self.org_url();
        let rebuild = |after: Option<String>| {
            let drop_more = after.is_some();
            let mut pairs: Vec<String> = self
                .query
                .iter()
                .filter(|(key, _)| key != "after")
                .filter(|(key, _)| !(drop_more && dropped.contains(&key.as_str())))
                .map(|(key, value)| {
                    format!(
                        "{}={}",
                        encode_query_component(key),
                        encode_query_component(value)
                    )
                })
                .collect();
            if let Some(after) = after {
                pairs.insert(0, format!("after={after}"));
            }
            if pairs.is_empty() {
                format!("{org_url}{}", self.path)
            } else {
                format!("{org_url}{}?{}", self.path, pairs.join("&"))
            }
        };
        let mut links = vec![format!(
            "<{}>; rel=\"self\"",
            rebuild(self.query("after").map(str::to_string))
        )];
        if let Some(after) = next_after {
            links.push(format!(
                "<{}>; rel=\"next\"",
                rebuild(Some(encode_cursor(collection, after)))
            ));
        }
        links
    }
}

/// What a handler answers; the server adds the common headers.
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub links: Vec<String>,
    pub etag: Option<String>,
}

impl Reply {
    fn ok(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: Some(body),
            links: Vec::new(),
            etag: None,
        }
    }

    fn created(body: Value) -> Reply {
        Reply {
            status: StatusCode::CREATED,
            ..Reply::ok(body)
        }
    }

    fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            links: Vec::new(),
            etag: None,
        }
    }

    fn page(body: Value, links: Vec<String>) -> Reply {
        Reply {
            links,
            ..Reply::ok(body)
        }
    }
}

/// Parses a `filter` or `search` expression and refuses any comparison `allowed` does not take,
/// as Okta answers each collection's unsupported attributes and operators.
fn check_expression(
    text: &str,
    allowed: impl Fn(&str, Operator) -> bool,
) -> Result<Expression, ApiError> {
    let expression = query::parse(text).map_err(|detail| ApiError::InvalidSearch { detail })?;
    for (attribute, operator) in expression.comparisons() {
        if !allowed(attribute, operator) {
            return Err(ApiError::InvalidSearch {
                detail: format!("Unsupported attribute or operator in expression: {attribute}"),
            });
        }
    }
    Ok(expression)
}

fn href(url: String) -> Value {
    json!({ "href": url })
}

fn post_link(url: String) -> Value {
    json!({ "href": url, "method": "POST" })
}

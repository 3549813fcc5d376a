//! The one scripted HTTP server of the in-process tests (the client's own, and the baseline's):
//! it binds 127.0.0.1:0, answers each request with the next scripted answer (599 when the
//! script runs out), and records what it received. End-to-end tests use okta-emulator instead.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{Client, ClientOptions, OrgUrl};
use crate::secret::Secret;

/// One scripted answer.
#[derive(Clone)]
pub(crate) struct Scripted {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

/// An answer with `status` and a JSON `body`, tagged with a request id as Okta's are.
pub(crate) fn answer(status: u16, body: &str) -> Scripted {
    Scripted {
        status,
        headers: vec![("x-okta-request-id", format!("req-{status}"))],
        body: body.to_owned(),
        delay: Duration::ZERO,
    }
}

/// A 200 answer with `body`.
pub(crate) fn ok_json(body: &serde_json::Value) -> Scripted {
    answer(200, &body.to_string())
}

impl Scripted {
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Scripted {
        self.headers.push((name, value.into()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Scripted {
        self.delay = delay;
        self
    }
}

/// What the server received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub method: String,
    /// Path and query, as sent.
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    /// The body as JSON (null when there is none or it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Scripted>>,
    received: Mutex<Vec<Received>>,
}

pub(crate) struct ScriptedServer {
    pub base: String,
    script: Arc<Script>,
}

impl ScriptedServer {
    pub async fn start(answers: Vec<Scripted>) -> ScriptedServer {
        let script = Arc::new(Script {
            answers: Mutex::new(answers.into()),
            received: Mutex::default(),
        });
        let router = Router::new().fallback(serve).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        ScriptedServer { base, script }
    }

    /// An org under a path prefix, as the emulator serves them.
    pub fn org_url(&self) -> OrgUrl {
        OrgUrl::parse(&format!("{}/acme", self.base)).unwrap()
    }

    /// A client of the org with an SSWS token and `options`.
    pub fn client(&self, options: ClientOptions) -> Client {
        Client::new(self.org_url(), Secret::new("00test-ssws-token"), options).unwrap()
    }

    /// Adds answers to the end of the script (for answers that name the server's own URL).
    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        self.script.answers.lock().unwrap().extend(answers);
    }

    pub fn received(&self) -> Vec<Received> {
        self.script.received.lock().unwrap().clone()
    }

    /// `METHOD /path?query` of every request, in order, without the org prefix.
    pub fn calls(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|r| format!("{} {}", r.method, r.uri.trim_start_matches("/acme")))
            .collect()
    }
}

async fn serve(State(script): State<Arc<Script>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap().to_vec();
    script.received.lock().unwrap().push(Received {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts.headers.clone(),
        body,
    });
    let next = script.answers.lock().unwrap().pop_front();
    let Some(next) = next else {
        return Response::builder()
            .status(599)
            .body(Body::from("script exhausted"))
            .unwrap();
    };
    tokio::time::sleep(next.delay).await;
    let mut response = Response::builder().status(StatusCode::from_u16(next.status).unwrap());
    for (name, value) in &next.headers {
        response = response.header(*name, value.as_str());
    }
    response
        .header("content-type", "application/json")
        .body(Body::from(next.body))
        .unwrap()
}

//! okta-emulator: a stateful local Okta for development, CI and module authors.
//!
//! Each org lives under `{url}/{subdomain}` with Okta's `/api/v1/...` below it; the partner org
//! (`{url}/partner`) serves the Org Creator API. The control plane lives under
//! `{url}/_emulator/`. See `docs/emulator.md`.
//!
//! Layout: `routes` is the one route table, `handlers` parse and shape JSON, `store` holds the
//! state per org and enforces Okta's rules (both split by Okta family), `error` builds Okta's
//! error envelope, `app` takes one request through all of them, `control` holds faults and
//! statistics, `persist` makes `--data` crash-safe (a snapshot and a journal), `connections`
//! accepts and times out connections, `wire` checks a request before any route, `control_api`
//! serves `/_emulator/`, `oauth` is the org authorization server (token endpoint, access tokens,
//! DPoP) over `jose`, the emulator's own JWS checks.
//! Nothing here imports the provider's Okta client: the emulator has its own wire types.

mod app;
mod concurrency;
mod connections;
mod control;
mod control_api;
mod engine;
mod error;
mod handlers;
mod jose;
mod oauth;
mod persist;
mod query;
mod ratelimit;
mod routes;
mod store;
mod util;
mod wire;
mod x509;

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use error::ApiError;

use app::{App, Limits, Shared};
use control::Control;
use persist::Persister;
use ratelimit::RateLimiter;
use store::State;

pub use engine::Engine;

/// How the emulator runs; `Default` is what `okta-emulator` does without flags.
#[derive(Debug, Clone)]
pub struct Options {
    /// The partner super admin's SSWS token; random when absent.
    pub partner_token: Option<String>,
    /// The control API's token; random when absent.
    pub admin_token: Option<String>,
    /// Where state is kept across restarts; in memory only when absent.
    pub data_file: Option<PathBuf>,
    /// Multiplies Okta's default per-minute limits; 0 disables rate limiting.
    pub rate_limit_scale: f64,
    /// The share of each bucket, in percent (1 to 100), that one API token or service app may
    /// use where the org's principal rate limits set none: Okta's default is 50.
    pub rate_limit_share: u32,
    /// Larger request bodies are refused with 413.
    pub max_body_bytes: usize,
    /// The engine of the orgs the emulator creates: the partner org, seeded orgs, and the
    /// children the Org Creator makes (which take the partner's). Orgs loaded from `--data`
    /// keep their own.
    pub engine: Engine,
    /// Customer orgs that exist from the start: (subdomain, API token of their super admin).
    pub seed_orgs: Vec<(String, String)>,
    /// How long a client may take to send a request head, and how long an idle keep-alive
    /// connection stays open.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request body.
    pub body_read_timeout: Duration,
    /// Open connections at most; a new one beyond it closes the oldest that has no request in
    /// progress.
    pub max_connections: usize,
    /// How far Okta's eventually consistent reads trail the writes (see [`Lag`]).
    pub lag: Lag,
    /// Requests an org handles at once; one more is answered 429 (Okta's concurrent rate
    /// limit). 0 turns the limit off.
    pub concurrency_limit: usize,
    /// OAuth 2.0 service apps that exist from the start (`--service-app`), in orgs that exist
    /// from the start; registered again, as given, after every start and reset.
    pub service_apps: Vec<SeedServiceApp>,
    /// How long a DPoP nonce stays current before the next request gets a new one.
    pub dpop_nonce_lifetime: Duration,
}

/// A service app to register at start (see `docs/emulator.md`, "OAuth 2.0 service apps").
#[derive(Debug, Clone)]
pub struct SeedServiceApp {
    pub subdomain: String,
    pub client_id: String,
    /// A JWK set (`{"keys": [...]}`) of public keys.
    pub jwks: serde_json::Value,
    pub scopes: Vec<String>,
    pub dpop_required: bool,
}

/// How long a change takes to reach the parts of Okta that are documented as eventually
/// consistent: the index that answers `search` on users, and the System Log. `filter`, lookups
/// by id or login and everything else read the live state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lag {
    /// A change to a user reaches `GET /api/v1/users?search=` this many milliseconds later.
    pub search_ms: i64,
    /// An event is listed by `GET /api/v1/logs` this many milliseconds after it is published.
    pub log_ms: i64,
}

impl Default for Lag {
    /// What `okta-emulator` does without flags: a second for search, three for the System
    /// Log. Okta gives no figure for either ("eventually consistent", "near real-time"); the
    /// values are short enough not to slow interactive use and long enough that a client that
    /// reads its own writes back through search or the log notices.
    fn default() -> Self {
        Lag {
            search_ms: 1000,
            log_ms: 3000,
        }
    }
}

/// Okta's default share of a bucket for one credential, in percent: "each API token or OAuth
/// 2.0 app can use 50% of an org's rate limit by default" (developer.okta.com rl2).
pub const DEFAULT_RATE_LIMIT_SHARE: u32 = 50;

/// A DPoP nonce's lifetime without `--dpop-nonce-lifetime-seconds`: a day. Okta does not publish
/// its own; a client must handle `use_dpop_nonce` whenever it comes, and tests make a nonce stale
/// through the control plane instead of waiting.
pub const DEFAULT_DPOP_NONCE_LIFETIME_SECONDS: u64 = 24 * 60 * 60;

impl Default for Options {
    fn default() -> Self {
        Options {
            partner_token: None,
            admin_token: None,
            data_file: None,
            rate_limit_scale: 1.0,
            rate_limit_share: DEFAULT_RATE_LIMIT_SHARE,
            max_body_bytes: 1024 * 1024,
            engine: Engine::default(),
            seed_orgs: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            lag: Lag::default(),
            concurrency_limit: concurrency::DEFAULT_CONCURRENCY_LIMIT,
            service_apps: Vec::new(),
            dpop_nonce_lifetime: Duration::from_secs(DEFAULT_DPOP_NONCE_LIFETIME_SECONDS),
        }
    }
}

/// What the emulator announces once it accepts connections (the binary prints it as one JSON
/// line).
#[derive(Debug, Clone, Serialize)]
pub struct Ready {
    pub url: String,
    pub partner_url: String,
    pub partner_token: String,
    pub admin_token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot read the listener's address: {0}")]
    Address(std::io::Error),
    #[error("cannot load the data file {path}: {source}")]
    Load {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the data file {path}: {source}")]
    Save {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the data file {path} belongs to another partner token; start without --partner-token or with the one it was created with"
    )]
    PartnerTokenMismatch { path: PathBuf },
    #[error("cannot create the seeded org: {0}")]
    Seed(String),
}

/// A bound emulator, ready to serve.
pub struct Emulator {
    listener: tokio::net::TcpListener,
    app: Arc<App>,
}

impl Emulator {
    /// Loads or creates the state for a bound listener; nothing is served until [`serve`].
    ///
    /// [`serve`]: Emulator::serve
    pub fn new(
        listener: tokio::net::TcpListener,
        options: Options,
    ) -> Result<Emulator, EmulatorError> {
        let address = listener.local_addr().map_err(EmulatorError::Address)?;
        let base_url = format!("http://{address}");
        let persister = options.data_file.clone().map(Persister::new);
        let loaded = match &persister {
            Some(persister) => persister.load().map_err(|source| EmulatorError::Load {
                path: persister.path().to_path_buf(),
                source,
            })?,
            None => None,
        };
        let (partner_token, admin_token, state) = match loaded {
            Some(snapshot) => {
                if options
                    .partner_token
                    .as_ref()
                    .is_some_and(|token| token != &snapshot.partner_token)
                {
                    return Err(EmulatorError::PartnerTokenMismatch {
                        path: options.data_file.clone().unwrap_or_default(),
                    });
                }
                let admin_token = options.admin_token.clone().unwrap_or(snapshot.admin_token);
                (snapshot.partner_token, admin_token, snapshot.state)
            }
            None => {
                let partner_token = options
                    .partner_token
                    .clone()
                    .unwrap_or_else(util::api_token_secret);
                let admin_token = options
                    .admin_token
                    .clone()
                    .unwrap_or_else(|| util::random_alphanumeric(40));
                let state = State::new(&partner_token, options.engine);
                (partner_token, admin_token, state)
            }
        };
        let mut state = state;
        for (subdomain, token) in &options.seed_orgs {
            state
                .seed_org(subdomain, token, options.engine)
                .map_err(EmulatorError::Seed)?;
        }
        let seed_service_apps: Vec<(String, store::NewServiceApp)> = options
            .service_apps
            .iter()
            .map(|seed| {
                let app = store::NewServiceApp {
                    client_id: Some(seed.client_id.clone()),
                    name: None,
                    jwks: seed.jwks.clone(),
                    scopes: seed.scopes.clone(),
                    dpop_required: Some(seed.dpop_required),
                    roles: None,
                };
                (seed.subdomain.clone(), app)
            })
            .collect();
        for (subdomain, app) in &seed_service_apps {
            let org = state.org_mut(subdomain).ok_or_else(|| {
                EmulatorError::Seed(format!(
                    "--service-app names the org {subdomain:?}, which does not exist; add --org {subdomain}:TOKEN"
                ))
            })?;
            org.put_service_app(app.clone(), util::now_millis())
                .map_err(|error| {
                    EmulatorError::Seed(format!("--service-app for {subdomain:?}: {error}"))
                })?;
        }
        let ready = Ready {
            url: base_url.clone(),
            partner_url: format!("{base_url}/{}", store::PARTNER_SUBDOMAIN),
            partner_token: partner_token.clone(),
            admin_token: admin_token.clone(),
        };
        let app = Arc::new(App {
            base_url,
            engine: options.engine,
            ready,
            seed_orgs: options.seed_orgs.clone(),
            seed_service_apps,
            limits: Limits {
                max_body_bytes: options.max_body_bytes,
                header_read_timeout: options.header_read_timeout,
                body_read_timeout: options.body_read_timeout,
                max_connections: options.max_connections,
            },
            lag: options.lag,
            rate_limit_share: options.rate_limit_share,
            shared: Mutex::new(Shared {
                state,
                generation: 1,
            }),
            limiter: Mutex::new(RateLimiter::new(
                options.rate_limit_scale,
                options.rate_limit_share,
            )),
            concurrency: concurrency::Concurrency::new(options.concurrency_limit),
            control: Mutex::new(Control::default()),
            oauth: Mutex::new(oauth::OAuth::new(
                i64::try_from(options.dpop_nonce_lifetime.as_secs()).unwrap_or(i64::MAX),
            )),
            persister,
        });
        // Write the initial state so that the file exists (and is valid) from the start.
        app.persist_now().map_err(|source| EmulatorError::Save {
            path: options.data_file.clone().unwrap_or_default(),
            source,
        })?;
        Ok(Emulator { listener, app })
    }

    pub fn ready(&self) -> &Ready {
        &self.app.ready
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish (up to 5 s).
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> Result<(), EmulatorError> {
        connections::serve(self.listener, self.app, shutdown).await;
        Ok(())
    }
}

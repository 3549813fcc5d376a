//! okta-emulator: a stateful local Okta. Thin CLI over `okta_emulator`.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;
use okta_emulator::{
    DEFAULT_DPOP_NONCE_LIFETIME_SECONDS, Emulator, Engine, Lag, Options, SeedServiceApp,
};

/// A stateful local Okta for development, CI and Terraform module tests.
///
/// Once it accepts connections it prints exactly one JSON line on stdout:
/// {"url","partner_url","partner_token","admin_token"}. Each org lives under {url}/{subdomain};
/// the partner org ({url}/partner) serves the Org Creator API. The control API lives under
/// {url}/_emulator/ (health, reset, faults, stats, service apps, the OAuth clock) and takes `Authorization: Bearer
/// <admin_token>`. Logs go to stderr. SIGINT or SIGTERM shut it down cleanly.
#[derive(Debug, Parser)]
#[command(name = "okta-emulator", version)]
struct Cli {
    /// Address to listen on; port 0 picks a free port. Only loopback addresses are accepted
    /// unless --allow-non-loopback is given.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,

    /// Allow --listen on a non-loopback address (the emulator has no TLS and fixed tokens may be
    /// used: only do this on a trusted network).
    #[arg(long)]
    allow_non_loopback: bool,

    /// The partner org super admin's SSWS API token (random when absent).
    #[arg(long, value_name = "TOKEN")]
    partner_token: Option<String>,

    /// The control API token for {url}/_emulator/ (random when absent).
    #[arg(long, value_name = "TOKEN")]
    admin_token: Option<String>,

    /// Keep state in FILE: loaded at start, saved crash-safely after every change before the
    /// change is acknowledged. State is in memory only when absent.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,

    /// Multiply Okta's default per-minute rate limits by FACTOR (0.1 = a tenth); 0 disables
    /// rate limiting (the X-Rate-Limit-* headers are still sent).
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    rate_limit_scale: f64,

    /// Let one API token or OAuth service app use PERCENT of each rate-limit bucket (1 to 100)
    /// unless the org's /api/v1/principal-rate-limits says otherwise; Okta's default is 50.
    /// The X-Rate-Limit-* headers report the credential's share.
    #[arg(long, value_name = "PERCENT", default_value_t = okta_emulator::DEFAULT_RATE_LIMIT_SHARE)]
    rate_limit_share: u32,

    /// Refuse request bodies larger than BYTES with 413.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    max_body_bytes: usize,

    /// Close a connection whose request head (request line and headers) takes longer than
    /// SECONDS to arrive; also how long an idle keep-alive connection stays open.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    header_read_timeout: f64,

    /// Answer 408 when a request body takes longer than SECONDS to arrive.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    body_read_timeout: f64,

    /// Keep at most N connections open; a new one beyond that closes the oldest connection that
    /// has no request in progress.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_connections: usize,

    /// Handle at most N requests of one org at once, answering one more with 429 as Okta's
    /// concurrent rate limit does (75 for Workforce and Customer Identity orgs, 35 on the
    /// Integrator Free plan); 0 turns the limit off.
    #[arg(long, value_name = "N", default_value_t = 75)]
    concurrency_limit: usize,

    /// Answer `search` on users from an index that trails the users by MS milliseconds, as
    /// Okta's eventually consistent search does (`filter` and lookups by id or login stay
    /// immediate); 0 makes search instant.
    #[arg(long, value_name = "MS", default_value_t = Lag::default().search_ms)]
    search_lag_ms: i64,

    /// List a System Log event only MS milliseconds after it is published, as Okta's log
    /// ingestion lags; 0 lists events at once.
    #[arg(long, value_name = "MS", default_value_t = Lag::default().log_ms)]
    log_lag_ms: i64,

    /// A customer org that exists from the start, at {url}/SUBDOMAIN, whose super admin owns an
    /// API token TOKEN (repeatable). Saves a module's CI the Org Creator call.
    #[arg(long = "org", value_name = "SUBDOMAIN:TOKEN")]
    orgs: Vec<String>,

    /// An OAuth 2.0 service app (an "API Services" app) that exists from the start in the org
    /// SUBDOMAIN (repeatable). CLIENT_ID is its client_id; JWKS_FILE a JSON file holding its
    /// public keys as a JWK set ({"keys": [...]}, RSA or EC P-256) or as one JWK; SCOPES the
    /// granted Okta API scopes, comma-separated (okta.users.read,okta.users.manage). The app
    /// requires DPoP-bound tokens, as Okta's new service apps do, unless the last field is
    /// `bearer`. It holds the SUPER_ADMIN role. Registered again as given at every start and
    /// reset; the control API adds others (POST /_emulator/orgs/SUBDOMAIN/service-apps).
    #[arg(
        long = "service-app",
        value_name = "SUBDOMAIN:CLIENT_ID:JWKS_FILE:SCOPES[:dpop|:bearer]"
    )]
    service_apps: Vec<String>,

    /// How long a DPoP nonce stays current; the first token request after that gets
    /// `use_dpop_nonce` with a new one.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_DPOP_NONCE_LIFETIME_SECONDS)]
    dpop_nonce_lifetime_seconds: u64,

    /// The orgs' engine: `oie` (Identity Engine, what Okta provisions today) or `classic`
    /// (Classic Engine). It applies to the partner org, every --org, and every org the Org
    /// Creator makes; orgs loaded from --data keep the engine they were created with.
    #[arg(long, value_name = "ENGINE", default_value = "oie", value_parser = ["oie", "classic"])]
    engine: String,

    /// Log level on stderr: error, warn, info, debug or trace.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    log_level: tracing::Level,
}

/// The longest lag accepted: an hour, far beyond anything Okta's "near real-time" could mean.
const MAX_LAG_MS: i64 = 3_600_000;

/// The longest read timeout accepted: an hour is already far past any client's patience.
const MAX_TIMEOUT_SECONDS: f64 = 3600.0;

/// Prints a failure as one plain line (its causes joined by colons) and exits 1. Returning the
/// error from `main` would print its `Debug` form instead, which carries a backtrace whenever
/// RUST_BACKTRACE is set: noise for a mistyped flag or a port in use.
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("okta-emulator: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let mut cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(cli.log_level)
        .init();
    if !cli.listen.ip().is_loopback() && !cli.allow_non_loopback {
        bail!(
            "refusing to listen on non-loopback address {}; pass --allow-non-loopback to allow it",
            cli.listen
        );
    }
    for (flag, token) in [
        ("--partner-token", &cli.partner_token),
        ("--admin-token", &cli.admin_token),
    ] {
        if let Some(token) = token
            && (token.is_empty() || token.contains(char::is_whitespace))
        {
            bail!("{flag} must be non-empty and contain no whitespace");
        }
    }
    for org in &cli.orgs {
        match org.split_once(':') {
            Some((subdomain, token))
                if !subdomain.is_empty()
                    && !token.is_empty()
                    && !token.contains(char::is_whitespace) => {}
            _ => bail!("--org takes SUBDOMAIN:TOKEN, e.g. --org acme:test-token (got {org:?})"),
        }
    }
    if !(cli.rate_limit_scale >= 0.0 && cli.rate_limit_scale.is_finite()) {
        bail!("--rate-limit-scale must be a finite number >= 0");
    }
    if !(1..=100).contains(&cli.rate_limit_share) {
        bail!("--rate-limit-share must be a percentage from 1 to 100");
    }
    for (flag, seconds) in [
        ("--header-read-timeout", cli.header_read_timeout),
        ("--body-read-timeout", cli.body_read_timeout),
    ] {
        if !(seconds > 0.0 && seconds <= MAX_TIMEOUT_SECONDS) {
            bail!("{flag} must be more than 0 and at most {MAX_TIMEOUT_SECONDS} seconds");
        }
    }
    for (flag, millis) in [
        ("--search-lag-ms", cli.search_lag_ms),
        ("--log-lag-ms", cli.log_lag_ms),
    ] {
        if !(0..=MAX_LAG_MS).contains(&millis) {
            bail!("{flag} must be from 0 to {MAX_LAG_MS} milliseconds");
        }
    }
    let service_apps = cli
        .service_apps
        .iter()
        .map(|flag| parse_service_app(flag))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if cli.dpop_nonce_lifetime_seconds == 0 {
        bail!("--dpop-nonce-lifetime-seconds must be at least 1");
    }
    if cli.max_connections == 0 {
        bail!("--max-connections must be at least 1");
    }
    cli.max_connections = fit_connections_to_file_limit(cli.max_connections);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(cli, service_apps))
}

/// `--service-app SUBDOMAIN:CLIENT_ID:JWKS_FILE:SCOPES[:dpop|:bearer]`.
fn parse_service_app(flag: &str) -> anyhow::Result<SeedServiceApp> {
    let usage = "--service-app takes SUBDOMAIN:CLIENT_ID:JWKS_FILE:SCOPES[:dpop|:bearer], e.g. --service-app acme:0oa1:keys.json:okta.users.read,okta.users.manage";
    let fields: Vec<&str> = flag.split(':').collect();
    let (subdomain, client_id, path, scopes, binding) = match fields.as_slice() {
        [subdomain, client_id, path, scopes] => (subdomain, client_id, path, scopes, "dpop"),
        [subdomain, client_id, path, scopes, binding] => {
            (subdomain, client_id, path, scopes, *binding)
        }
        _ => bail!("{usage} (got {flag:?})"),
    };
    let dpop_required = match binding {
        "dpop" => true,
        "bearer" => false,
        other => bail!("{usage}: the last field is dpop or bearer (got {other:?})"),
    };
    if subdomain.is_empty() || client_id.is_empty() || path.is_empty() || scopes.is_empty() {
        bail!("{usage} (got {flag:?})");
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--service-app: cannot read the JWKS file {path}"))?;
    let keys: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("--service-app: {path} is not JSON"))?;
    // One JWK is accepted as a set of one.
    let jwks = if keys.get("keys").is_some() {
        keys
    } else {
        serde_json::json!({ "keys": [keys] })
    };
    Ok(SeedServiceApp {
        subdomain: subdomain.to_string(),
        client_id: client_id.to_string(),
        jwks,
        scopes: scopes.split(',').map(str::to_string).collect(),
        dpop_required,
    })
}

async fn serve(cli: Cli, service_apps: Vec<SeedServiceApp>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cli.listen))?;
    let engine = Engine::parse(&cli.engine).context("--engine takes oie or classic")?;
    let options = Options {
        engine,
        partner_token: cli.partner_token,
        admin_token: cli.admin_token,
        data_file: cli.data,
        rate_limit_scale: cli.rate_limit_scale,
        rate_limit_share: cli.rate_limit_share,
        max_body_bytes: cli.max_body_bytes,
        seed_orgs: cli
            .orgs
            .iter()
            .filter_map(|org| org.split_once(':'))
            .map(|(subdomain, token)| (subdomain.to_owned(), token.to_owned()))
            .collect(),
        header_read_timeout: Duration::from_secs_f64(cli.header_read_timeout),
        body_read_timeout: Duration::from_secs_f64(cli.body_read_timeout),
        max_connections: cli.max_connections,
        concurrency_limit: cli.concurrency_limit,
        lag: Lag {
            search_ms: cli.search_lag_ms,
            log_ms: cli.log_lag_ms,
        },
        service_apps,
        dpop_nonce_lifetime: Duration::from_secs(cli.dpop_nonce_lifetime_seconds),
    };
    let emulator = Emulator::new(listener, options)?;
    let line = serde_json::to_string(emulator.ready())?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")?;
        stdout.flush()?;
    }
    tracing::info!(url = %emulator.ready().url, "okta-emulator accepting connections");
    emulator.serve(shutdown_signal()).await?;
    tracing::info!("okta-emulator stopped");
    Ok(())
}

/// Descriptors kept for everything but client connections: the listener, the data file, logs.
const RESERVED_DESCRIPTORS: u64 = 64;

/// Raises the soft limit on open files to the hard limit (many systems start processes at 1024)
/// and returns `wanted`, lowered if the limit cannot hold that many connections. Without room
/// for every connection the cap allows, `accept` would fail before the cap could evict a waiting
/// connection, and half-open connections could lock everyone out until they time out.
fn fit_connections_to_file_limit(wanted: usize) -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    let available = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return wanted;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
        limit.rlim_cur
    };
    let room = available.saturating_sub(RESERVED_DESCRIPTORS).max(1);
    if (wanted as u64) > room {
        tracing::warn!(
            wanted,
            room,
            "--max-connections lowered to what the open-file limit allows"
        );
        room as usize
    } else {
        wanted
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = match signal(SignalKind::terminate()) {
        Ok(terminate) => terminate,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received, shutting down"),
        _ = terminate.recv() => tracing::info!("SIGTERM received, shutting down"),
    }
}

//! Serving a provider as a go-plugin: read the handshake environment, listen, print the handshake
//! line, serve until Terraform is done with us.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use super::go_plugin::{Broker, Controller, Health, ShutdownTrigger, Stdio};
use super::handshake::{ClientEnvironment, HandshakeError, HandshakeLine, reattach_config};
use super::listener::PluginListener;
use super::proto::{go_plugin, health, tfplugin6};
use super::resource::Provider;
use super::server::ProviderService;
use super::tls::{ServerIdentity, TlsError, parse_client_certificate};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot listen for Terraform: {0}")]
    Listen(std::io::Error),
    #[error("cannot write the handshake line: {0}")]
    Stdout(std::io::Error),
    #[error("the gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

pub struct ServeOptions {
    /// The provider's source address, e.g. `registry.terraform.io/zerotek/okta-msp`, for the
    /// debug mode's `TF_REATTACH_PROVIDERS`.
    pub provider_address: String,
    /// Debug mode: no cookie, no TLS, a reattach line for a person, runs until Ctrl-C.
    pub debug: bool,
}

/// Serves `provider` until Terraform shuts it down, the process that started it goes away, or
/// (debug mode) Ctrl-C.
pub async fn serve(provider: Arc<dyn Provider>, options: ServeOptions) -> Result<(), ServeError> {
    if options.debug {
        return serve_debug(provider, options).await;
    }
    // Read before anything else: if Terraform dies while we start, the parent we compare against
    // later must still be Terraform, not whoever adopted us.
    let parent = std::os::unix::process::parent_id();
    let environment = ClientEnvironment::from_lookup(|name| std::env::var(name).ok())?;
    let identity_and_config = match &environment.client_certificate_pem {
        Some(pem) => {
            let client_certificate = parse_client_certificate(pem)?;
            let identity = ServerIdentity::generate()?;
            let config = identity.server_config(client_certificate)?;
            Some((identity, config))
        }
        None => {
            tracing::warn!(
                "PLUGIN_CLIENT_CERT is not set (TF_DISABLE_PLUGIN_TLS?): serving without TLS, protected by the socket directory's permissions only"
            );
            None
        }
    };
    let listener = match PluginListener::bind_unix(environment.unix_socket_dir.as_deref()) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, "unix socket unavailable, falling back to TCP on loopback");
            PluginListener::bind_tcp(environment.port_range)
                .await
                .map_err(ServeError::Listen)?
        }
    };
    let line = HandshakeLine {
        address: &listener.address,
        server_certificate: identity_and_config
            .as_ref()
            .map(|(identity, _)| identity.handshake_field()),
    }
    .to_string();
    let tls = identity_and_config.map(|(_, config)| config);
    let shutdown = ShutdownTrigger::default();
    let (incoming, accept_task) = listener.incoming(tls);
    // The handshake line must be the only thing on stdout, and must be flushed at once.
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}").map_err(ServeError::Stdout)?;
        stdout.flush().map_err(ServeError::Stdout)?;
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "terraform-provider-okta-msp serving"
    );
    let result = run_server(
        provider,
        incoming,
        shutdown.clone(),
        exit_signals(shutdown, parent),
    )
    .await;
    accept_task.abort();
    if PARENT_GONE.load(std::sync::atomic::Ordering::SeqCst) {
        held_work_done().await;
    }
    log_resource_usage();
    result
}

/// Work in flight that a killed Terraform must not cut short, because stopping half-way loses
/// something no later run can get back (an org whose only credential is in this process: issue
/// 25). Such work runs in a task of its own holding an `ExitHold`; when Terraform dies, the
/// plugin stops serving at once but exits only when every hold is dropped, or after
/// `MAX_EXIT_HOLD`.
static EXIT_HOLDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The longest a plugin whose Terraform died waits for held work.
const MAX_EXIT_HOLD: Duration = Duration::from_secs(15 * 60);

/// Keeps the plugin process alive after Terraform's death until it is dropped (see
/// `EXIT_HOLDS`). Only for work that is short, bounded, and safe to finish unrecorded.
#[must_use = "the hold ends when it is dropped"]
pub struct ExitHold(());

/// Takes a hold on the process's exit.
pub fn hold_exit() -> ExitHold {
    EXIT_HOLDS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    ExitHold(())
}

impl Drop for ExitHold {
    fn drop(&mut self) {
        EXIT_HOLDS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Waits for every `ExitHold` to be dropped, at most `MAX_EXIT_HOLD`; SIGTERM ends the wait
/// (the signal's handler is this process's since `exit_signals`, so it would be ignored).
async fn held_work_done() {
    let started = std::time::Instant::now();
    let mut said = false;
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    while EXIT_HOLDS.load(std::sync::atomic::Ordering::SeqCst) > 0 {
        if started.elapsed() >= MAX_EXIT_HOLD {
            tracing::warn!("held work did not end in time: exiting anyway");
            return;
        }
        if !said {
            tracing::warn!("finishing work that must not stop half-way before exiting");
            said = true;
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(20)) => {}
            Some(()) = async { match terminate.as_mut() { Some(s) => s.recv().await, None => std::future::pending().await } } => {
                tracing::warn!("SIGTERM: exiting before held work ended");
                return;
            }
        }
    }
}

/// One line per plugin process with what it cost, so "is the provider what makes this plan slow?"
/// has an answer in `TF_LOG_PROVIDER=info` output (and `make bench` reads it).
fn log_resource_usage() {
    // SAFETY: getrusage only writes into the struct we pass, which is plain old data.
    let usage = unsafe {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return;
        }
        usage.assume_init()
    };
    let millis = |time: libc::timeval| time.tv_sec as u64 * 1000 + time.tv_usec as u64 / 1000;
    tracing::info!(
        cpu_user_ms = millis(usage.ru_utime),
        cpu_system_ms = millis(usage.ru_stime),
        peak_rss_kib = peak_resident_kib(),
        "terraform-provider-okta-msp exiting"
    );
}

/// The high-water mark of this process's resident memory (Linux). Not `ru_maxrss`: Terraform
/// starts plugins with vfork, and Linux carries the parent's high-water mark across the exec.
fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn serve_debug(provider: Arc<dyn Provider>, options: ServeOptions) -> Result<(), ServeError> {
    let listener = PluginListener::bind_unix(None).map_err(ServeError::Listen)?;
    let stop_signals = DebugStopSignals::install().map_err(ServeError::Listen)?;
    let reattach = reattach_config(
        &options.provider_address,
        std::process::id(),
        &listener.address,
    );
    println!(
        "Provider started in debug mode. To attach Terraform, set this in the shell that runs it:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n\nThe provider serves without TLS on a socket only this user can reach. Ctrl-C stops it."
    );
    let _ = std::io::stdout().flush();
    let (incoming, accept_task) = listener.incoming(None);
    let shutdown = ShutdownTrigger::default();
    let until = {
        let shutdown = shutdown.clone();
        async move {
            tokio::select! {
                () = stop_signals.received() => {}
                _ = shutdown.triggered() => {}
            }
        }
    };
    let result = run_server(provider, incoming, shutdown, until).await;
    accept_task.abort();
    result
}

/// The signals that end a debug session: Ctrl-C (SIGINT), `kill` (SIGTERM) and a closed terminal
/// (SIGHUP). Each is handled rather than left to its default action so that the server returns
/// and the socket's private folder is removed; only SIGKILL leaves it behind. The handlers are
/// installed before the reattach line is printed, so no signal can arrive in between.
struct DebugStopSignals(Vec<tokio::signal::unix::Signal>);

impl DebugStopSignals {
    fn install() -> std::io::Result<DebugStopSignals> {
        use tokio::signal::unix::{SignalKind, signal};
        [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ]
        .into_iter()
        .map(signal)
        .collect::<std::io::Result<Vec<_>>>()
        .map(DebugStopSignals)
    }

    /// Resolves when any of the signals arrives.
    async fn received(mut self) {
        let waits = self
            .0
            .iter_mut()
            .map(|signal| Box::pin(async move { signal.recv().await }));
        futures_util::future::select_all(waits).await;
    }
}

async fn run_server(
    provider: Arc<dyn Provider>,
    incoming: tokio_stream::wrappers::ReceiverStream<std::io::Result<super::listener::Connection>>,
    shutdown: ShutdownTrigger,
    until: impl std::future::Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    let provider_service =
        tfplugin6::provider_server::ProviderServer::new(ProviderService::new(provider))
            // Schemas and plans of large configurations exceed gRPC's 4 MiB default; Terraform's own
            // client accepts up to 256 MiB.
            .max_decoding_message_size(256 * 1024 * 1024)
            .max_encoding_message_size(256 * 1024 * 1024);
    let mut server = tonic::transport::Server::builder();
    let server = server
        .add_service(health::health_server::HealthServer::new(Health))
        .add_service(
            go_plugin::grpc_controller_server::GrpcControllerServer::new(Controller {
                shutdown: shutdown.clone(),
            }),
        )
        .add_service(go_plugin::grpc_stdio_server::GrpcStdioServer::new(Stdio))
        .add_service(go_plugin::grpc_broker_server::GrpcBrokerServer::new(Broker))
        .add_service(provider_service);
    // Graceful shutdown waits for open connections to close. Terraform closes its connection
    // right after `Shutdown`, but the exit must not depend on every client doing so: after a short
    // grace period for in-flight answers, the plugin goes anyway.
    let (fired, fired_receiver) = tokio::sync::oneshot::channel::<()>();
    let until = async move {
        until.await;
        let _ = fired.send(());
    };
    let serving = server.serve_with_incoming_shutdown(incoming, until);
    tokio::pin!(serving);
    tokio::select! {
        result = &mut serving => result?,
        () = async {
            if fired_receiver.await.is_ok() {
                if !PARENT_GONE.load(std::sync::atomic::Ordering::SeqCst) {
                    tokio::time::sleep(SHUTDOWN_GRACE).await;
                }
            } else {
                std::future::pending::<()>().await;
            }
        } => tracing::debug!("connections still open after the shutdown grace period; exiting"),
    }
    Ok(())
}

/// How long in-flight requests may finish after Terraform asked the plugin to exit.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// How often the plugin checks that Terraform is still its parent: the longest a killed
/// Terraform's provider goes on changing Okta.
const PARENT_CHECK: Duration = Duration::from_millis(100);

/// Set when Terraform died under the plugin: the server then stops without the grace period
/// (the process exits and its in-flight work stops with it).
static PARENT_GONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Resolves when the plugin should exit: Terraform called `GRPCController.Shutdown`, sent
/// SIGTERM, or went away without either (its process died: we are re-parented; then the process exits
/// at once).
///
/// Not stdin: go-plugin hands the plugin Terraform's own stdin, which may be `/dev/null` or a pipe
/// that closes long before Terraform is done, so its end says nothing about Terraform. SIGINT is
/// ignored, as go-plugin plugins do: Ctrl-C reaches the whole process group, and Terraform answers
/// it with `StopProvider`, which cancels in-flight work without killing the plugin.
async fn exit_signals(shutdown: ShutdownTrigger, parent: u32) {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let mut interrupt =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    let mut parent_check = tokio::time::interval(PARENT_CHECK);
    loop {
        tokio::select! {
            _ = shutdown.triggered() => return,
            Some(()) = async { match terminate.as_mut() { Some(s) => s.recv().await, None => std::future::pending().await } } => {
                tracing::info!("SIGTERM: shutting down");
                return;
            }
            Some(()) = async { match interrupt.as_mut() { Some(s) => s.recv().await, None => std::future::pending().await } } => {
                tracing::debug!("SIGINT ignored: Terraform stops in-flight work with StopProvider");
            }
            _ = parent_check.tick() => {
                if std::os::unix::process::parent_id() != parent {
                    // No grace period: the answers of in-flight calls have no one to go to, and
                    // finishing them could complete changes in Okta (a finalization) that no
                    // state will ever record. Stopping now leaves what the next apply resumes.
                    tracing::warn!("the Terraform process that started this plugin is gone: exiting now");
                    PARENT_GONE.store(true, std::sync::atomic::Ordering::SeqCst);
                    return;
                }
            }
        }
    }
}

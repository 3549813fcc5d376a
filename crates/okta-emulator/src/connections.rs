//! The accept loop: one hyper HTTP/1 connection per socket, a deadline for every request head,
//! and a bound on open connections, so that clients which connect and then send nothing (or half
//! a header) can neither pile up forever nor crowd out the next client.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::app::{App, lock};
use crate::wire::{PARSER_MAX_BUFFER_BYTES, PARSER_MAX_HEADER_FIELDS};

/// Serves `listener` until `shutdown` completes, then lets in-flight requests finish (up to 5 s).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()>,
) {
    let registry = Arc::new(Registry::new(app.limits.max_connections));
    let (stop_sender, stop_receiver) = tokio::sync::watch::channel(false);
    // Every connection task holds a clone; when all are gone, `recv` returns None.
    let (alive_sender, mut alive_receiver) = tokio::sync::mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, typically: wait for some to close.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(admitted) = registry.admit() else {
            // Every open connection is in the middle of a request: this one waits for nothing.
            tracing::warn!(%peer, "connection refused: every connection is busy");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let header_read_timeout = app.limits.header_read_timeout;
        let app = app.clone();
        let mut stop = stop_receiver.clone();
        let alive = alive_sender.clone();
        tokio::spawn(async move {
            let tracked = admitted.tracked.clone();
            let service = hyper::service::service_fn(move |request| {
                let app = app.clone();
                let busy = Busy::start(tracked.clone());
                async move {
                    let answer = app.handle(request, peer).await;
                    drop(busy);
                    answer
                }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                // Also bounds how long an idle keep-alive connection stays open: hyper starts
                // the clock whenever it waits for the next request's head.
                .header_read_timeout(header_read_timeout)
                .max_headers(PARSER_MAX_HEADER_FIELDS)
                .max_buf_size(PARSER_MAX_BUFFER_BYTES);
            let connection =
                builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = admitted.tracked.evict.notified() => {}
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(admitted);
            drop(alive);
        });
    }
    let _ = stop_sender.send(true);
    drop(alive_sender);
    let _ = tokio::time::timeout(Duration::from_secs(5), alive_receiver.recv()).await;
}

/// The open connections, oldest first, so that a full house makes room by closing the
/// connection that has waited longest without a request in progress.
struct Registry {
    max_connections: usize,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    next_id: u64,
    connections: BTreeMap<u64, Arc<Tracked>>,
}

/// One open connection as the registry sees it.
#[derive(Default)]
struct Tracked {
    /// Requests whose answer is being produced; 0 means the connection waits for a request head
    /// (new, idle keep-alive, or a client that stalls), which is what may be evicted.
    in_flight: AtomicUsize,
    /// Closes the connection when the registry needs its place.
    evict: tokio::sync::Notify,
}

/// A connection's place in the registry, given back when the connection ends.
struct Admitted {
    id: u64,
    tracked: Arc<Tracked>,
    registry: Arc<Registry>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        lock(&self.registry.open).connections.remove(&self.id);
    }
}

impl Registry {
    fn new(max_connections: usize) -> Registry {
        Registry {
            max_connections: max_connections.max(1),
            open: Mutex::new(Open::default()),
        }
    }

    /// A place for a new connection, evicting the oldest waiting connection when all places are
    /// taken; `None` when every open connection has a request in progress.
    fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut open = lock(&self.open);
        if open.connections.len() >= self.max_connections {
            let waiting = open
                .connections
                .iter()
                .find(|(_, tracked)| tracked.in_flight.load(Ordering::Acquire) == 0)
                .map(|(id, _)| *id)?;
            if let Some(evicted) = open.connections.remove(&waiting) {
                evicted.evict.notify_one();
            }
        }
        open.next_id += 1;
        let id = open.next_id;
        let tracked = Arc::new(Tracked::default());
        open.connections.insert(id, tracked.clone());
        Some(Admitted {
            id,
            tracked,
            registry: self.clone(),
        })
    }
}

/// Marks a connection busy while one of its requests is being answered.
struct Busy(Arc<Tracked>);

impl Busy {
    fn start(tracked: Arc<Tracked>) -> Busy {
        tracked.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(tracked)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

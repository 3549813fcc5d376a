//! Where the plugin listens and how connections become gRPC transports: a unix socket in a
//! private directory (TCP on loopback where that is impossible), each connection wrapped in TLS
//! when Terraform asked for AutoMTLS.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;

use super::handshake::ListenAddress;

/// A bound listener and the private directory that holds its socket (removed on drop).
pub struct PluginListener {
    inner: Inner,
    pub address: ListenAddress,
    _socket_dir: Option<PrivateDir>,
}

enum Inner {
    Unix(tokio::net::UnixListener),
    Tcp(tokio::net::TcpListener),
}

impl PluginListener {
    /// A unix socket named `plugin.sock` inside a fresh directory only this user can enter, so
    /// other users cannot even reach the TLS handshake.
    pub fn bind_unix(parent: Option<&Path>) -> io::Result<PluginListener> {
        let dir = PrivateDir::create(parent)?;
        let path = dir.path.join("plugin.sock");
        let listener = tokio::net::UnixListener::bind(&path)?;
        Ok(PluginListener {
            inner: Inner::Unix(listener),
            address: ListenAddress::Unix(path),
            _socket_dir: Some(dir),
        })
    }

    /// The first free loopback port in `range` (go-plugin's behaviour where unix sockets are
    /// unavailable).
    pub async fn bind_tcp(range: (u16, u16)) -> io::Result<PluginListener> {
        let mut last_error = None;
        for port in range.0..=range.1 {
            match tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port)).await {
                Ok(listener) => {
                    let address = ListenAddress::Tcp(listener.local_addr()?);
                    return Ok(PluginListener {
                        inner: Inner::Tcp(listener),
                        address,
                        _socket_dir: None,
                    });
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("empty port range")))
    }

    /// Accepts connections forever, completing each TLS handshake on its own task so a client
    /// that stalls mid-handshake cannot block the next one. Failed handshakes (a process without
    /// Terraform's certificate) are logged and dropped.
    pub fn incoming(
        self,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> (
        tokio_stream::wrappers::ReceiverStream<io::Result<Connection>>,
        tokio::task::JoinHandle<()>,
    ) {
        let (sender, receiver) = mpsc::channel(16);
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let task = tokio::spawn(async move {
            // Keeps the socket directory alive for as long as we accept.
            let _listener_guard = &self._socket_dir;
            loop {
                let stream: Box<dyn Stream> = match &self.inner {
                    Inner::Unix(listener) => match listener.accept().await {
                        Ok((stream, _)) => Box::new(stream),
                        Err(error) => {
                            tracing::warn!(%error, "accepting a plugin connection failed");
                            continue;
                        }
                    },
                    Inner::Tcp(listener) => match listener.accept().await {
                        Ok((stream, _)) => {
                            // Every plan crosses this connection once per resource: small
                            // messages must not wait for Nagle's algorithm.
                            let _ = stream.set_nodelay(true);
                            Box::new(stream)
                        }
                        Err(error) => {
                            tracing::warn!(%error, "accepting a plugin connection failed");
                            continue;
                        }
                    },
                };
                let sender = sender.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let connection = match acceptor {
                        None => Connection(stream),
                        Some(acceptor) => {
                            let handshake = tokio::time::timeout(
                                Duration::from_secs(10),
                                acceptor.accept(stream),
                            );
                            match handshake.await {
                                Ok(Ok(tls_stream)) => Connection(Box::new(tls_stream)),
                                Ok(Err(error)) => {
                                    tracing::warn!(%error, "refused a plugin connection: TLS handshake failed (only the Terraform process that started this plugin may connect)");
                                    return;
                                }
                                Err(_) => {
                                    tracing::warn!(
                                        "refused a plugin connection: TLS handshake timed out"
                                    );
                                    return;
                                }
                            }
                        }
                    };
                    let _ = sender.send(Ok(connection)).await;
                });
            }
        });
        (tokio_stream::wrappers::ReceiverStream::new(receiver), task)
    }
}

/// Any byte stream a connection can run over.
pub trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// One accepted (and, with AutoMTLS, authenticated) connection.
pub struct Connection(Box<dyn Stream>);

impl tonic::transport::server::Connected for Connection {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

/// A directory with mode 0700, removed with everything in it when dropped.
struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    fn create(parent: Option<&Path>) -> io::Result<PrivateDir> {
        use std::os::unix::fs::DirBuilderExt as _;
        let parent = parent
            .map(Path::to_path_buf)
            .unwrap_or_else(std::env::temp_dir);
        for _ in 0..16 {
            let suffix: u64 = rand::random();
            let path = parent.join(format!("okta-msp-plugin-{suffix:016x}"));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(PrivateDir { path }),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(error),
            }
        }
        Err(io::Error::other("cannot create a private socket directory"))
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

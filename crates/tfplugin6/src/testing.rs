//! For a provider's own integration tests: starts its binary the way Terraform does (magic
//! cookie, protocol versions, a fresh client certificate), reads the handshake line, and connects
//! over mutual TLS, so the generated clients in [`crate::proto`] can drive it as Terraform would.
//! A test harness: it panics with a message on anything unexpected.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use tonic::transport::{Channel, Endpoint, Uri};

// Written out again rather than taken from `handshake`, so that a slip in either fails the
// handshake instead of agreeing with itself.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client identity like the one Terraform makes for each plugin it starts.
pub struct ClientIdentity {
    pub certificate_pem: String,
    pub certificate: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    pub fn generate() -> ClientIdentity {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let certificate = params.self_signed(&key).unwrap();
        ClientIdentity {
            certificate_pem: certificate.pem(),
            certificate: certificate.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

/// What the plugin printed.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub line: String,
    pub network: String,
    pub address: String,
    pub server_certificate: Option<CertificateDer<'static>>,
}

impl Handshake {
    pub fn parse(line: &str) -> Handshake {
        let parts: Vec<&str> = line.trim().split('|').collect();
        assert_eq!(
            parts.len(),
            6,
            "handshake line {line:?} should have 6 fields"
        );
        assert_eq!(parts[0], "1", "core protocol");
        assert_eq!(parts[1], "6", "app protocol");
        assert_eq!(parts[4], "grpc");
        let server_certificate = (!parts[5].is_empty()).then(|| {
            CertificateDer::from(
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(parts[5])
                    .expect("certificate is unpadded standard base64"),
            )
        });
        Handshake {
            line: line.trim().to_owned(),
            network: parts[2].to_owned(),
            address: parts[3].to_owned(),
            server_certificate,
        }
    }
}

/// A running plugin process, killed on drop.
pub struct PluginProcess {
    pub child: Child,
    pub handshake: Handshake,
    pub identity: ClientIdentity,
    stderr_path: std::path::PathBuf,
    _scratch: tempfile::TempDir,
}

impl PluginProcess {
    /// Starts `binary` as Terraform would, with extra environment `env`.
    pub fn start(binary: &str, env: &[(&str, &str)]) -> PluginProcess {
        let identity = ClientIdentity::generate();
        let scratch = tempfile::tempdir().unwrap();
        let stderr_path = scratch.path().join("stderr.log");
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TMPDIR", scratch.path())
            .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env("PLUGIN_CLIENT_CERT", &identity.certificate_pem);
        for (key, value) in env {
            command.env(key, value);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_path).unwrap());
        let mut child = command.spawn().expect("start plugin");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let handshake = Handshake::parse(&line);
        PluginProcess {
            child,
            handshake,
            identity,
            stderr_path,
            _scratch: scratch,
        }
    }

    pub async fn connect(&self) -> Result<Channel, tonic::transport::Error> {
        connect(&self.handshake, Some(&self.identity)).await
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Waits up to five seconds for `needle` to appear in the plugin's stderr (the plugin logs
    /// after answering, so a test can see the answer before the log line).
    pub fn stderr_eventually_contains(&self, needle: &str) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if self.stderr().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Waits up to `limit` for the process to exit on its own.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for PluginProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Connects to a plugin over its unix socket with TLS, presenting `identity` (or no certificate),
/// trusting only the certificate from the handshake line, as go-plugin does.
pub async fn connect(
    handshake: &Handshake,
    identity: Option<&ClientIdentity>,
) -> Result<Channel, tonic::transport::Error> {
    assert_eq!(
        handshake.network, "unix",
        "plugins listen on unix sockets here"
    );
    let server_certificate = handshake
        .server_certificate
        .clone()
        .expect("AutoMTLS handshake carries a certificate");
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .dangerous()
    .with_custom_certificate_verifier(Arc::new(PinnedServer(server_certificate)));
    let mut config = match identity {
        Some(identity) => builder
            .with_client_auth_cert(
                vec![identity.certificate.clone()],
                PrivateKeyDer::Pkcs8(identity.key.clone_key()),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let path = handshake.address.clone();
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5))
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let connector = connector.clone();
            let path = path.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(path).await?;
                let tls = connector
                    .connect(ServerName::try_from("localhost").unwrap(), stream)
                    .await?;
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        }))
        .await
}

/// Trusts exactly the certificate the plugin announced, as go-plugin's client does.
#[derive(Debug)]
struct PinnedServer(CertificateDer<'static>);

impl rustls::client::danger::ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_ref() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

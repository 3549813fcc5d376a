//! AutoMTLS as go-plugin does it: the plugin presents a fresh self-signed certificate (sent to
//! Terraform in the handshake line), and accepts exactly one client, the holder of the certificate
//! Terraform passed in `PLUGIN_CLIENT_CERT`. Any other local process that finds the socket is
//! refused during the TLS handshake, before a single RPC is read.

use std::sync::Arc;

use base64::Engine as _;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::{AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot generate the plugin's TLS certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("PLUGIN_CLIENT_CERT holds no PEM certificate")]
    NoClientCertificate,
    #[error("PLUGIN_CLIENT_CERT is not a valid PEM certificate: {0}")]
    BadClientCertificate(String),
    #[error("cannot build the TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The plugin's own certificate and key, made fresh at every start.
pub struct ServerIdentity {
    pub certificate: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ServerIdentity {
    /// A self-signed ECDSA P-256 certificate for `localhost`, shaped like go-plugin's own (a CA
    /// that is also its leaf, valid for client and server auth), which Terraform's Go client
    /// trusts as its only root with server name `localhost`.
    pub fn generate() -> Result<ServerIdentity, TlsError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.distinguished_name.push(
            rcgen::DnType::OrganizationName,
            "terraform-provider-okta-msp",
        );
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyAgreement,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let now = time::OffsetDateTime::now_utc();
        // Slack for clock differences, as go-plugin allows.
        params.not_before = now - time::Duration::seconds(30);
        params.not_after = now + time::Duration::days(365 * 30);
        let serial: [u8; 16] = rand::random();
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        let certificate = params.self_signed(&key)?;
        Ok(ServerIdentity {
            certificate: certificate.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    /// The certificate as the handshake line carries it: base64 (standard alphabet, no padding)
    /// of the DER bytes, because the line cannot hold PEM's newlines.
    pub fn handshake_field(&self) -> String {
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.certificate.as_ref())
    }

    /// The server side of mutual TLS: our certificate, and a verifier that admits only
    /// `client_certificate`.
    pub fn server_config(
        &self,
        client_certificate: CertificateDer<'static>,
    ) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Arc::new(PinnedClientCertificate {
            expected: client_certificate,
        });
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![self.certificate.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )?;
        // gRPC runs over HTTP/2, which Go's client negotiates with ALPN.
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Arc::new(config))
    }
}

/// Parses the PEM that Terraform puts in `PLUGIN_CLIENT_CERT`.
pub fn parse_client_certificate(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    use rustls_pki_types::pem::PemObject as _;
    match CertificateDer::pem_slice_iter(pem.as_bytes()).next() {
        Some(Ok(certificate)) => Ok(certificate),
        Some(Err(error)) => Err(TlsError::BadClientCertificate(error.to_string())),
        None => Err(TlsError::NoClientCertificate),
    }
}

/// Requires a client certificate and accepts only the one Terraform announced, byte for byte.
/// Pinning is stricter than go-plugin's "signed by the announced certificate" and has the same
/// effect for Terraform, whose certificate is self-signed.
#[derive(Debug)]
struct PinnedClientCertificate {
    expected: CertificateDer<'static>,
}

impl ClientCertVerifier for PinnedClientCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &CLIENT_SIGNATURE_ALGORITHMS,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &CLIENT_SIGNATURE_ALGORITHMS,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        CLIENT_SIGNATURE_ALGORITHMS.supported_schemes()
    }
}

/// go-plugin's client key is ECDSA P-521 (signature scheme ecdsa_secp521r1_sha512), which ring does
/// not implement. Without this entry the Go client finds no acceptable scheme and silently sends
/// no certificate at all, so "mutual" TLS would quietly become one-way.
static ECDSA_P521_SHA512: &dyn SignatureVerificationAlgorithm = &EcdsaP521Sha512;

static CLIENT_SIGNATURE_ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        webpki::ring::ECDSA_P256_SHA256,
        webpki::ring::ECDSA_P384_SHA384,
        ECDSA_P521_SHA512,
        webpki::ring::ED25519,
        webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    ],
    mapping: &[
        (SignatureScheme::ECDSA_NISTP521_SHA512, &[ECDSA_P521_SHA512]),
        (
            SignatureScheme::ECDSA_NISTP384_SHA384,
            &[webpki::ring::ECDSA_P384_SHA384],
        ),
        (
            SignatureScheme::ECDSA_NISTP256_SHA256,
            &[webpki::ring::ECDSA_P256_SHA256],
        ),
        (SignatureScheme::ED25519, &[webpki::ring::ED25519]),
        (
            SignatureScheme::RSA_PSS_SHA256,
            &[webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA256,
            &[webpki::ring::RSA_PKCS1_2048_8192_SHA256],
        ),
    ],
};

#[derive(Debug)]
struct EcdsaP521Sha512;

impl SignatureVerificationAlgorithm for EcdsaP521Sha512 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use p521::ecdsa::signature::Verifier as _;
        let key =
            p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let signature =
            p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        rustls_pki_types::alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        rustls_pki_types::alg_id::ECDSA_SHA512
    }
}

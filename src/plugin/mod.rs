//! The Terraform plugin protocol (tfplugin6 over go-plugin's gRPC transport): handshake, mutual
//! TLS, the gRPC services, values, schemas and diagnostics. Knows nothing about Okta.

pub mod proto;
pub mod tls;

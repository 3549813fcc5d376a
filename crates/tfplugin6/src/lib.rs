//! The Terraform plugin protocol (tfplugin6 over go-plugin's gRPC transport): handshake, mutual
//! TLS, the gRPC services, values, schemas and diagnostics. Knows nothing about Okta.

pub mod diagnostics;
pub mod function;
pub mod go_plugin;
pub mod handshake;
pub mod listener;
pub mod logging;
pub mod proto;
pub mod resource;
pub mod run;
pub mod schema;
pub mod server;
pub mod testing;
pub mod tls;
pub mod value;

pub use diagnostics::{AttributePath, Diagnostic, Diagnostics};
pub use function::{FunctionError, FunctionParameter, FunctionSignature};
pub use resource::*;
pub use run::{ExitHold, ServeOptions, hold_exit, serve};
pub use schema::{Attribute, Schema};
pub use value::{Type, Value};

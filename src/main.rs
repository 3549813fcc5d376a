//! terraform-provider-okta-msp: logging to stderr, then serve the provider. Stdout carries only the
//! go-plugin handshake line (or, with -debug, the reattach instructions). Run by the provider
//! itself with the hidden `__org-birth` argument, it is an org's birth helper process instead
//! (`provider::org::run_birth_helper`: an order on stdin, reports on stdout).

use std::sync::Arc;

use okta_msp::provider::org::{BIRTH_HELPER_ARGUMENT, run_birth_helper};
use okta_msp::provider::{OktaMspProvider, PROVIDER_ADDRESS};
use tfplugin6::handshake::HandshakeError;
use tfplugin6::run::ServeError;
use tfplugin6::{ServeOptions, logging, serve};

fn main() -> std::process::ExitCode {
    let mut debug = false;
    let mut birth_helper = false;
    for argument in std::env::args().skip(1) {
        match argument.as_str() {
            // Not for people: the provider starts itself so (and the other arguments stay the
            // only ones it names).
            BIRTH_HELPER_ARGUMENT => birth_helper = true,
            "-debug" | "--debug" => debug = true,
            "-version" | "--version" => {
                println!("terraform-provider-okta-msp {}", env!("CARGO_PKG_VERSION"));
                return std::process::ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}; the only arguments are -debug and -version");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let log_source = logging::LogSource {
        provider_type: "okta-msp",
        crates: &["okta_msp", "terraform_provider_okta_msp"],
    };
    logging::init(
        log_source,
        logging::level_from_environment(log_source, |name| std::env::var(name).ok()),
    );
    if birth_helper {
        // Its stdout is a pipe to the provider that started it, for its reports.
        return run_birth_helper(std::io::stdout());
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let provider = Arc::new(match std::env::current_exe() {
        Ok(program) => OktaMspProvider::with_birth_helper(program),
        Err(error) => {
            tracing::warn!(%error, "the provider's own program is unknown: org births run in it");
            OktaMspProvider::default()
        }
    });
    let options = ServeOptions {
        provider_address: PROVIDER_ADDRESS.to_owned(),
        debug,
    };
    match runtime.block_on(serve(provider, options)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(ServeError::Handshake(HandshakeError::MissingMagicCookie)) => {
            // For a person who ran the binary by hand: a plain sentence, not a log line.
            eprintln!("{}", tfplugin6::handshake::NOT_FOR_HUMANS);
            std::process::ExitCode::FAILURE
        }
        Err(error) => {
            tracing::error!(%error, "the provider stopped");
            eprintln!("terraform-provider-okta-msp: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

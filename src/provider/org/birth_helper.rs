//! The org's birth helper process: the provider binary run with `HELPER_ARGUMENT` by a create
//! that has a fleet key (`birth_run.rs`). It reads its order from stdin, runs `give_birth` and
//! reports on stdout; a later `"abandon"` line on stdin asks it to stop before the app's
//! registration. Its parent may die at any moment (that is what it is for): a closed stdin then
//! means nothing, a broken stdout or stderr pipe is ignored (Rust ignores SIGPIPE, and no write
//! here can panic), and the birth goes on to its end. It ends on its own: every step has its
//! timeout and the whole is bounded (`birth::max_life`).

use std::io::{BufRead as _, Read as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;

use crate::provider::ProviderContext;
use crate::provider::provider_config::{self, ProviderConfig};

use super::birth::{BirthControl, BirthEvent, give_birth};
use super::birth_wire::{ABANDON_LINE, MAX_ORDER_BYTES, Report, WireOrder, order_error};

/// Exit code of a refused order (bad input on stdin).
pub const BAD_ORDER: u8 = 2;

/// Runs the helper, its reports on `reports` (the process's stdout, which `main.rs` owns); the
/// caller has installed the logger (on stderr).
pub fn run(mut reports: impl std::io::Write + Send) -> ExitCode {
    let (config, order) = match read_order() {
        Ok(order) => order,
        Err(why) => {
            say(&format!("okta-msp org birth helper: {why}"));
            return ExitCode::from(BAD_ORDER);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            say(&format!(
                "okta-msp org birth helper: cannot start the async runtime: {error}"
            ));
            return ExitCode::FAILURE;
        }
    };
    let shared = ProviderContext::default();
    let _ = shared.config.set(config);
    let control = Arc::new(BirthControl::new());
    listen_for_abandon(Arc::clone(&control));
    let mut report = |event: BirthEvent| {
        if let Ok(line) = serde_json::to_string(&Report::of(&event)) {
            // A parent that died stops hearing; the birth does not stop.
            let _ = writeln!(reports, "{line}").and_then(|()| reports.flush());
        }
    };
    runtime.block_on(give_birth(&shared, &order, &control, &mut report));
    ExitCode::SUCCESS
}

/// Reads and checks the order, the first line on stdin; says why not, never quoting it.
fn read_order() -> Result<(ProviderConfig, super::birth::BirthOrder), String> {
    let mut line = String::new();
    let read = std::io::stdin()
        .lock()
        .take(MAX_ORDER_BYTES)
        .read_line(&mut line)
        .map_err(|error| format!("cannot read the order on stdin: {}", error.kind()))?;
    if read == 0 {
        return Err("no order on stdin (it was closed empty)".to_owned());
    }
    if !line.ends_with('\n') && read as u64 >= MAX_ORDER_BYTES {
        return Err(format!(
            "the order on stdin is longer than {MAX_ORDER_BYTES} bytes"
        ));
    }
    let wire: WireOrder = serde_json::from_str(&line).map_err(|error| order_error(&error))?;
    let (config, order) = wire.into_order();
    let value =
        tfplugin6::value::decode_json(config.as_bytes(), &provider_config::schema().value_type())
            .map_err(|_| {
            "the order's provider configuration is not the provider block's JSON".to_owned()
        })?;
    let config =
        ProviderConfig::from_value(&value, |name| std::env::var(name).ok()).map_err(|errors| {
            // Attribute names and summaries only: a detail may quote a value.
            let named: Vec<String> = errors
                .into_iter()
                .map(|error| format!("{}: {}", error.attribute, error.summary))
                .collect();
            format!(
                "the order's provider configuration is refused: {}",
                named.join("; ")
            )
        })?;
    if config.fleet.is_none() {
        return Err("the order's provider configuration has no fleet key".to_owned());
    }
    Ok((config, order))
}

/// Watches stdin for `"abandon"` in a thread of its own (a read blocked in the runtime would
/// hold its shutdown); the end of stdin means the parent is gone, not that it abandons.
fn listen_for_abandon(control: Arc<BirthControl>) {
    let listener = std::thread::Builder::new()
        .name("org-birth-orders".to_owned())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                match line {
                    Ok(line) if line.trim() == ABANDON_LINE => {
                        control.abandon();
                    }
                    Ok(_) => tracing::warn!("an unknown line on the helper's stdin was ignored"),
                    Err(_) => break,
                }
            }
        });
    if let Err(error) = listener {
        tracing::warn!(%error, "the helper cannot listen for an abandon: it finishes the birth");
    }
}

/// One line on stderr, ignoring a broken pipe (`eprintln!` would panic).
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

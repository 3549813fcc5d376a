//! The org's birth helper process: the provider binary run with `HELPER_ARGUMENT` by an org's
//! create (`birth_run.rs`). It reads its order from stdin, runs `give_birth` and reports on
//! stdout; a later `"abandon"` line on stdin asks it to stop before the app's registration.
//! Its parent may die at any moment (that is what it is for): a broken stdout or stderr pipe is
//! ignored (Rust ignores SIGPIPE, and no write here can panic), and the birth goes on to its
//! end. With a fleet key it ends on its own: every step has its timeout and the whole is
//! bounded (`birth::max_life`). Without one, it keeps the new org's token in custody
//! (`birth_custody`) until the create says `"returned"`, or, when its stdin closes without
//! that (the create's process died), for the next apply to claim, at most `CUSTODY` long.

use std::io::{BufRead as _, Read as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;

use crate::provider::ProviderContext;
use crate::provider::provider_config::{self, ProviderConfig};

use super::birth::{BirthControl, BirthEvent, give_birth};
use super::birth_custody::{self, CUSTODY, ParentWatch};
use super::birth_wire::{
    ABANDON_LINE, MAX_ORDER_BYTES, RETURNED_LINE, Report, WireOrder, order_error,
};

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
    let parent = Arc::new(ParentWatch::default());
    listen_to_parent(Arc::clone(&control), Arc::clone(&parent));
    let mut created = None;
    let mut report = |event: BirthEvent| {
        if let BirthEvent::Created(org) = &event {
            created = Some(org.clone());
        }
        if let Ok(line) = serde_json::to_string(&Report::of(&event)) {
            // A parent that died stops hearing; the birth does not stop.
            let _ = writeln!(reports, "{line}").and_then(|()| reports.flush());
        }
    };
    runtime.block_on(give_birth(&shared, &order, &control, &mut report));
    // Without a fleet key the token is the org's only way in until Terraform stores it.
    if !order.register
        && let Some(created) = created
    {
        let partner_url = shared
            .config()
            .and_then(|config| shared.org_access.partner(config))
            .map(|partner| partner.org_url().as_str().to_owned());
        match partner_url {
            Ok(partner_url) => birth_custody::keep(
                &created,
                &partner_url,
                &order.new_org.subdomain,
                &parent,
                CUSTODY,
            ),
            Err(error) => tracing::warn!(%error, "the new org's token cannot be kept"),
        }
    }
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
    if order.register && config.fleet.is_none() {
        return Err(
            "the order registers the org's app, but its provider configuration has no fleet key"
                .to_owned(),
        );
    }
    Ok((config, order))
}

/// Watches stdin for `"abandon"` and `"returned"` in a thread of its own (a read blocked in the
/// runtime would hold its shutdown); the end of stdin means the parent is gone, not that it
/// abandons.
fn listen_to_parent(control: Arc<BirthControl>, parent: Arc<ParentWatch>) {
    let watched = Arc::clone(&parent);
    let listener = std::thread::Builder::new()
        .name("org-birth-orders".to_owned())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                match line {
                    Ok(line) if line.trim() == ABANDON_LINE => {
                        control.abandon();
                    }
                    Ok(line) if line.trim() == RETURNED_LINE => watched.returned(),
                    Ok(_) => tracing::warn!("an unknown line on the helper's stdin was ignored"),
                    Err(_) => break,
                }
            }
            watched.gone();
        });
    if let Err(error) = listener {
        // Nothing will say that the create returned the token: it is not kept.
        parent.returned();
        tracing::warn!(%error, "the helper cannot listen to its parent: it finishes the birth");
    }
}

/// One line on stderr, ignoring a broken pipe (`eprintln!` would panic).
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

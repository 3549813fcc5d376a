//! A new org's birth under way, as the create sees it (issue 25). It runs in the birth helper
//! process, the provider binary started again with `HELPER_ARGUMENT` in a process group of its
//! own: neither Ctrl-C to the terminal's group nor a SIGKILL of the provider ends it. With a
//! fleet key, the org's token (in memory only until the app works) so always reaches the app's
//! registration, and the next apply reclaims the org with the fleet key; without one, the
//! helper keeps the token until the create says it returned it (`returned`), and hands it to
//! the next apply if the create died first (`birth_custody`). When the helper cannot start, a
//! task of the provider runs the same `give_birth`.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};

use tfplugin6::StopSignal;
use tokio::sync::mpsc;

use crate::provider::{ProviderContext, provider_config};

use super::birth::{BirthControl, BirthEvent, BirthOrder, give_birth};
use super::birth_wire::{ABANDON_LINE, HELPER_ARGUMENT, RETURNED_LINE, Report, WireOrder};

/// A birth's reports, and the way to abandon it.
pub(super) struct BirthRun {
    events: mpsc::UnboundedReceiver<BirthEvent>,
    abandon: Abandon,
}

enum Abandon {
    InProcess(Arc<BirthControl>),
    /// The helper's stdin; `None` once it could not be written.
    Helper(Mutex<Option<ChildStdin>>),
}

/// Why the helper did not start.
#[derive(Debug, thiserror::Error)]
enum HelperError {
    #[error("the provider is not configured yet")]
    NotConfigured,
    #[error("the provider configuration cannot be passed on: {0}")]
    Config(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl BirthRun {
    /// Starts the birth `order` asks for: in the helper process when this provider knows its
    /// own program; else, or when the helper cannot start (said in the log), in a task of this
    /// process.
    pub(super) fn start(shared: &Arc<ProviderContext>, order: BirthOrder) -> BirthRun {
        if let Some(program) = &shared.birth_helper {
            match spawn_helper(program, shared, &order) {
                Ok(run) => return run,
                Err(error) => tracing::warn!(
                    %error,
                    "the org's birth helper process did not start: the birth runs in the provider, which a SIGKILL would end"
                ),
            }
        }
        in_process(shared, order)
    }

    /// The birth's next report; `None` once it ended (after its last report, or without one
    /// when its process died).
    pub(super) async fn next(&mut self) -> Option<BirthEvent> {
        self.events.recv().await
    }

    /// The birth's next report, as the create waits for it: Terraform's stop (the first one,
    /// `stop_seen` remembers it) asks the birth to abandon, and the wait goes on, since what
    /// Okta made must still be returned.
    pub(super) async fn next_minding(
        &mut self,
        stop: &mut StopSignal,
        stop_seen: &mut bool,
    ) -> Option<BirthEvent> {
        loop {
            if !*stop_seen && stop.is_stopped() {
                *stop_seen = true;
                self.abandon();
            }
            tokio::select! {
                event = self.next() => return event,
                () = stop.stopped(), if !*stop_seen => {}
            }
        }
    }

    /// Tells the helper that the create returned the org, its token included, to Terraform:
    /// a helper keeping the token (no fleet key) lets it go. Said only once the response is
    /// ready, never on a path that drops it.
    pub(super) fn returned(&self) {
        self.say(RETURNED_LINE);
    }

    /// Asks the birth to stop before the app's registration (or before Okta's call, when it
    /// waits for an earlier birth of the org); it answers `Abandoned`, or goes on registering.
    pub(super) fn abandon(&self) {
        match &self.abandon {
            Abandon::InProcess(control) => {
                control.abandon();
            }
            Abandon::Helper(_) => self.say(ABANDON_LINE),
        }
    }

    /// Writes `line` to the helper's stdin, if the birth runs in one.
    fn say(&self, line: &str) {
        if let Abandon::Helper(stdin) = &self.abandon {
            let mut stdin = stdin.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(pipe) = stdin.as_mut()
                && pipe
                    .write_all(format!("{line}\n").as_bytes())
                    .and_then(|()| pipe.flush())
                    .is_err()
            {
                *stdin = None;
            }
        }
    }
}

/// The birth in a task of this process, holding an `ExitHold` when it registers the app, so
/// that a killed Terraform's provider finishes it before exiting.
fn in_process(shared: &Arc<ProviderContext>, order: BirthOrder) -> BirthRun {
    let (sender, events) = mpsc::unbounded_channel();
    let control = Arc::new(BirthControl::new());
    let shared = Arc::clone(shared);
    let task_control = Arc::clone(&control);
    tokio::spawn(async move {
        let _hold = order.register.then(tfplugin6::hold_exit);
        let mut report = |event| {
            let _ = sender.send(event);
        };
        give_birth(&shared, &order, &task_control, &mut report).await;
    });
    BirthRun {
        events,
        abandon: Abandon::InProcess(control),
    }
}

/// Starts the helper, gives it the order (the provider block as Terraform sent it, secrets
/// included, only ever on its stdin), and reads its reports and logs in threads of their own.
fn spawn_helper(
    program: &Path,
    shared: &ProviderContext,
    order: &BirthOrder,
) -> Result<BirthRun, HelperError> {
    let config = shared
        .config_value
        .get()
        .ok_or(HelperError::NotConfigured)?;
    let config = tfplugin6::value::encode_json(config, &provider_config::schema().value_type())
        .map_err(|error| HelperError::Config(error.to_string()))?;
    let config =
        String::from_utf8(config).map_err(|error| HelperError::Config(error.to_string()))?;
    let mut line = serde_json::to_vec(&WireOrder::new(config, order))
        .map_err(|error| HelperError::Config(error.to_string()))?;
    line.push(b'\n');
    let mut child = Command::new(program)
        .arg(HELPER_ARGUMENT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Out of the terminal's process group: a Ctrl-C there does not reach it.
        .process_group(0)
        .spawn()?;
    match talk_to(&mut child, &line) {
        Ok((stdin, events)) => {
            tracing::info!(
                pid = child.id(),
                "the org's birth runs in a helper process, which a killed provider does not end"
            );
            // Reaped when it ends, so it is never left a zombie while the provider lives.
            let reaper = std::thread::Builder::new()
                .name("org-birth-reaper".to_owned())
                .spawn(move || match child.wait() {
                    Ok(status) => tracing::debug!(%status, "the org's birth helper ended"),
                    Err(error) => tracing::warn!(%error, "the org's birth helper was not reaped"),
                });
            if let Err(error) = reaper {
                tracing::warn!(%error, "no thread to reap the org's birth helper");
            }
            Ok(BirthRun {
                events,
                abandon: Abandon::Helper(Mutex::new(Some(stdin))),
            })
        }
        Err(error) => {
            // Our own child, not yet reaped: its pid is still its own.
            let _ = child.kill();
            let _ = child.wait();
            Err(error.into())
        }
    }
}

type Talk = (ChildStdin, mpsc::UnboundedReceiver<BirthEvent>);

/// Writes the order to the helper's stdin and starts the threads that read its stdout (the
/// reports) and its stderr (log lines, passed on to this provider's stderr, which Terraform
/// reads).
fn talk_to(child: &mut Child, order: &[u8]) -> std::io::Result<Talk> {
    let missing = || std::io::Error::other("a pipe to the helper is missing");
    let mut stdin = child.stdin.take().ok_or_else(missing)?;
    let stdout = child.stdout.take().ok_or_else(missing)?;
    let stderr = child.stderr.take().ok_or_else(missing)?;
    stdin.write_all(order)?;
    stdin.flush()?;
    let (sender, events) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("org-birth-reports".to_owned())
        .spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match serde_json::from_str::<Report>(&line) {
                    Ok(report) => {
                        if sender.send(report.into_event()).is_err() {
                            break;
                        }
                    }
                    // Not quoted: a report may hold the org's token.
                    Err(error) => tracing::warn!(
                        category = ?error.classify(),
                        "an unreadable report from the org's birth helper was skipped"
                    ),
                }
            }
        })?;
    std::thread::Builder::new()
        .name("org-birth-logs".to_owned())
        .spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                // One write per line, as the provider's own log lines; a dead Terraform's
                // broken pipe is nobody's concern here.
                let _ = std::io::stderr()
                    .lock()
                    .write_all(format!("{line}\n").as_bytes());
            }
        })?;
    Ok((stdin, events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::{NewChildOrg, UserProfile};
    use crate::provider::provider_config::ProviderConfig;
    use std::time::Duration;

    /// A helper that cannot start (its program is missing) leaves the birth to a task of this
    /// process, which runs it: here it reports that the partner org (a closed port) failed.
    #[tokio::test]
    async fn a_helper_that_cannot_start_leaves_the_birth_to_the_provider() {
        let value = tfplugin6::value::decode_json(
            br#"{"partner_url":"http://127.0.0.1:9/partner","partner_token":"partner-secret","max_retries":0,"request_timeout_seconds":2}"#,
            &provider_config::schema().value_type(),
        )
        .unwrap();
        let key = include_str!("../../../tests/fixtures/oauth/ec-private.jwk.json");
        let config = ProviderConfig::from_value(&value, |name| {
            (name == "OKTA_MSP_FLEET_KEY").then(|| key.to_owned())
        })
        .unwrap();
        assert!(config.fleet.is_some());
        let shared = Arc::new(ProviderContext {
            birth_helper: Some("/nonexistent/terraform-provider-okta-msp".into()),
            ..ProviderContext::default()
        });
        let _ = shared.config.set(config);
        let _ = shared.config_value.set(value);
        let order = BirthOrder {
            new_org: NewChildOrg {
                subdomain: format!("fallback-{}", std::process::id()),
                name: "Fallback".to_owned(),
                website: None,
                admin_profile: UserProfile::default(),
                admin_password: None,
            },
            expected_url: None,
            wait: Duration::ZERO,
            register: true,
        };
        let mut run = BirthRun::start(&shared, order);
        assert!(matches!(run.abandon, Abandon::InProcess(_)));
        let event = tokio::time::timeout(Duration::from_secs(60), run.next())
            .await
            .expect("the birth reports");
        let Some(BirthEvent::Failed(diagnostics)) = event else {
            panic!("{event:?}");
        };
        assert!(
            diagnostics.0[0].summary.contains("creating org"),
            "{diagnostics:?}"
        );
        assert!(run.next().await.is_none(), "the birth ended");
    }
}

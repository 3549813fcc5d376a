//! The token of an org made without a fleet key, kept for the next apply when the run that made
//! it died before Terraform stored it (issue 25).
//!
//! Without a fleet key, the org's API token, which Okta returns once, is the only way into the
//! new org until Terraform's state holds it. The birth helper (a process of its own, which a
//! SIGKILL of the provider or of Terraform does not end) keeps it in custody: while the create
//! that asked for the org works, nobody gets it; when the create says it returned the org to
//! Terraform (`RETURNED_LINE`), the custody ends; when the create's process ends without
//! saying so (killed), the helper hands the token to the next create of the same org that
//! claims it, on a Unix socket beside the org's birth lock, for up to `CUSTODY`.
//!
//! Who may claim: the socket lives in this user's own 0700 directory (`birth_lock`), is made
//! 0600, and a peer of another uid (as the kernel reports it) is refused: the same boundary as
//! the state file the token was meant for, and as an ssh agent's socket.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::fd::AsRawFd as _;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::okta::ChildOrg;

use super::birth::BirthEvent;
use super::birth_lock;
use super::birth_wire::Report;

/// How long a helper keeps a token after the create that asked for the org died without
/// returning it: time for a person or a CI retry to run the next apply.
pub(super) const CUSTODY: Duration = Duration::from_secs(30 * 60);

/// The answer to a claim while the create that made the org still works.
const BUSY_LINE: &str = "\"busy\"";

/// How long a claimant waits for a busy custody: the helper learns of its parent's death from
/// its stdin's end, a moment after the death.
const BUSY_PATIENCE: Duration = Duration::from_secs(3);

/// The longest claim line read (a subdomain in JSON).
const MAX_CLAIM_BYTES: u64 = 4096;

/// What the helper knows of the create that started it.
#[derive(Default)]
pub(super) struct ParentWatch {
    state: Mutex<ParentState>,
    changed: Condvar,
}

#[derive(Default, Clone, Copy)]
struct ParentState {
    /// The create returned the org to Terraform.
    returned: bool,
    /// The create's process ended (the helper's stdin closed).
    gone_at: Option<Instant>,
}

impl ParentWatch {
    pub(super) fn returned(&self) {
        self.update(|state| state.returned = true);
    }

    pub(super) fn gone(&self) {
        self.update(|state| {
            state.gone_at.get_or_insert_with(Instant::now);
        });
    }

    fn update(&self, change: impl FnOnce(&mut ParentState)) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut state);
        self.changed.notify_all();
    }

    fn now(&self) -> ParentState {
        *self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Keeps `created` (the org `subdomain`, made through the partner org at `partner_url`) until
/// the create returns it, or, once the create died without returning it, until a claim takes
/// it or `custody` runs out. Blocking: the helper has nothing else to do.
pub(super) fn keep(
    created: &ChildOrg,
    partner_url: &str,
    subdomain: &str,
    parent: &ParentWatch,
    custody: Duration,
) {
    let listener = match birth_lock::private_path(partner_url, subdomain, "sock")
        .and_then(|path| bind(&path).map(|listener| (listener, path)))
    {
        Ok(listener) => Some(listener),
        Err(error) => {
            tracing::warn!(%error, "the new org's token cannot be kept for the next apply");
            None
        }
    };
    loop {
        let now = parent.now();
        if now.returned {
            break;
        }
        if let Some(gone) = now.gone_at {
            if listener.is_none() {
                break;
            }
            if gone.elapsed() >= custody {
                tracing::warn!(
                    subdomain,
                    "nobody claimed the new org's token in time: it is given up"
                );
                break;
            }
        }
        let Some((socket, _)) = &listener else {
            // Nothing to serve: wait for the create's word or its end.
            let state = parent.state.lock().unwrap_or_else(|e| e.into_inner());
            let _ = parent
                .changed
                .wait_timeout(state, Duration::from_millis(200));
            continue;
        };
        match socket.accept() {
            Ok((stream, _)) => {
                if serve(stream, created, subdomain, parent) {
                    tracing::info!(subdomain, "the new org's token went to the next apply");
                    break;
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(error) => {
                tracing::warn!(%error, "the custody socket failed");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    if let Some((_, path)) = listener {
        let _ = std::fs::remove_file(path);
    }
}

/// The custody socket at `path`, 0600, accepting without blocking. A file left there by a
/// killed helper is replaced.
fn bind(path: &Path) -> std::io::Result<UnixListener> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Answers one claim; true when the token went with the answer.
fn serve(stream: UnixStream, created: &ChildOrg, subdomain: &str, parent: &ParentWatch) -> bool {
    let answer = |mut stream: &UnixStream, line: &str| {
        let _ = stream
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stream.flush());
    };
    if stream.set_nonblocking(false).is_err()
        || stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .is_err()
        || stream
            .set_write_timeout(Some(Duration::from_secs(2)))
            .is_err()
    {
        return false;
    }
    if !same_user(&stream) {
        tracing::warn!("a claim from another user was refused");
        return false;
    }
    let mut line = String::new();
    let read = BufReader::new((&stream).take(MAX_CLAIM_BYTES)).read_line(&mut line);
    let claimed = read
        .ok()
        .and_then(|_| serde_json::from_str::<Claim>(&line).ok());
    if claimed.is_none_or(|claim| !claim.subdomain.eq_ignore_ascii_case(subdomain)) {
        tracing::warn!("a claim that is not for this org was refused");
        return false;
    }
    if parent.now().gone_at.is_none() {
        answer(&stream, BUSY_LINE);
        return false;
    }
    let Ok(report) = serde_json::to_string(&Report::of(&BirthEvent::Created(created.clone())))
    else {
        return false;
    };
    answer(&stream, &report);
    true
}

/// Whether the socket's peer runs as this process's user.
fn same_user(stream: &UnixStream) -> bool {
    // SAFETY: getuid has no preconditions.
    peer_uid(stream) == Some(unsafe { libc::getuid() })
}

/// The uid of the socket's peer, from the kernel (`SO_PEERCRED`).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn peer_uid(stream: &UnixStream) -> Option<libc::uid_t> {
    let mut credentials = libc::ucred {
        pid: 0,
        uid: libc::uid_t::MAX,
        gid: libc::gid_t::MAX,
    };
    let mut length = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `length` bytes into `credentials`, a plain struct of
    // that size, for a socket this function borrows.
    let status = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut credentials).cast(),
            &mut length,
        )
    };
    (status == 0).then_some(credentials.uid)
}

/// The uid of the socket's peer, from the kernel (`getpeereid`, on the BSDs and macOS).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn peer_uid(stream: &UnixStream) -> Option<libc::uid_t> {
    let (mut uid, mut gid) = (libc::uid_t::MAX, libc::gid_t::MAX);
    // SAFETY: getpeereid writes the two ids for a socket this function borrows.
    let status = unsafe { libc::getpeereid(stream.as_raw_fd(), &mut uid, &mut gid) };
    (status == 0).then_some(uid)
}

/// A claim on the wire.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Claim {
    subdomain: String,
}

/// What a claim came to.
#[derive(Debug)]
pub(super) enum Claimed {
    /// No helper keeps this org's token.
    Nothing,
    /// A helper keeps it, and the run that made the org still works.
    Busy,
    /// The org, with its token, which its helper no longer keeps.
    Org(Box<ChildOrg>),
}

/// Claims the token of the org `subdomain` from the helper of a run that made it and died, if
/// one keeps it. Waits a moment for a helper that has not yet seen its parent die.
pub(super) async fn claim(partner_url: &str, subdomain: &str) -> Claimed {
    let Ok(path) = birth_lock::private_path(partner_url, subdomain, "sock") else {
        return Claimed::Nothing;
    };
    let subdomain = subdomain.to_owned();
    let started = Instant::now();
    loop {
        let (path, subdomain) = (path.clone(), subdomain.clone());
        let claimed = tokio::task::spawn_blocking(move || claim_once(&path, &subdomain))
            .await
            .unwrap_or(Claimed::Nothing);
        match claimed {
            Claimed::Busy if started.elapsed() < BUSY_PATIENCE => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}

fn claim_once(path: &Path, subdomain: &str) -> Claimed {
    let Ok(mut stream) = UnixStream::connect(path) else {
        return Claimed::Nothing;
    };
    let timeouts = stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .and_then(|()| stream.set_write_timeout(Some(Duration::from_secs(5))));
    let Ok(mut line) = serde_json::to_string(&Claim {
        subdomain: subdomain.to_owned(),
    }) else {
        return Claimed::Nothing;
    };
    line.push('\n');
    if timeouts.is_err() || stream.write_all(line.as_bytes()).is_err() {
        return Claimed::Nothing;
    }
    let mut answer = String::new();
    if BufReader::new(stream.take(MAX_CLAIM_BYTES * 16))
        .read_line(&mut answer)
        .is_err()
    {
        return Claimed::Nothing;
    }
    if answer.trim() == BUSY_LINE {
        return Claimed::Busy;
    }
    match serde_json::from_str::<Report>(&answer).map(Report::into_event) {
        Ok(BirthEvent::Created(org)) => Claimed::Org(Box::new(org)),
        // Not quoted: it holds the token.
        _ => Claimed::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use std::sync::Arc;

    fn org(subdomain: &str) -> ChildOrg {
        ChildOrg {
            id: "00o-custody".to_owned(),
            subdomain: Some(subdomain.to_owned()),
            name: None,
            website: None,
            status: Some("ACTIVE".to_owned()),
            token: Secret::new("custody-token-value"),
            token_type: Some("SSWS".to_owned()),
            org_url: None,
            admin_user_id: Some("00u-admin".to_owned()),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_token_is_kept_while_its_create_works_and_handed_over_once_it_died() {
        let partner = "https://partner.custody.example";
        let subdomain = format!("custody-{}", std::process::id());
        assert!(matches!(claim(partner, &subdomain).await, Claimed::Nothing));
        let parent = Arc::new(ParentWatch::default());
        let keeper = {
            let (parent, subdomain) = (Arc::clone(&parent), subdomain.clone());
            std::thread::spawn(move || {
                keep(&org(&subdomain), partner, &subdomain, &parent, CUSTODY)
            })
        };
        let path = birth_lock::private_path(partner, &subdomain, "sock").unwrap();
        while !path.exists() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // The create still works: nobody gets the token, whatever they claim.
        assert!(matches!(claim(partner, &subdomain).await, Claimed::Busy));
        assert!(matches!(claim_once(&path, "another-org"), Claimed::Nothing));
        parent.gone();
        let Claimed::Org(handed) = claim(partner, &subdomain).await else {
            panic!("the token is handed over once its create died");
        };
        assert_eq!(handed.id, "00o-custody");
        assert_eq!(handed.token.expose(), "custody-token-value");
        assert_eq!(handed.admin_user_id.as_deref(), Some("00u-admin"));
        keeper.join().unwrap();
        assert!(!path.exists(), "the helper removes its socket");
        assert!(matches!(claim(partner, &subdomain).await, Claimed::Nothing));
    }

    #[test]
    fn a_returned_token_is_not_kept_and_an_unclaimed_one_is_given_up() {
        let partner = "https://partner.custody.example";
        let subdomain = format!("custody-end-{}", std::process::id());
        let path = birth_lock::private_path(partner, &subdomain, "sock").unwrap();
        let parent = ParentWatch::default();
        parent.returned();
        keep(&org(&subdomain), partner, &subdomain, &parent, CUSTODY);
        assert!(!path.exists());
        let parent = ParentWatch::default();
        parent.gone();
        let started = Instant::now();
        keep(
            &org(&subdomain),
            partner,
            &subdomain,
            &parent,
            Duration::from_millis(300),
        );
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert!(!path.exists());
    }
}

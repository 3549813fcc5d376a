//! The token of an org made without a fleet key, kept for the next apply when the run that made
//! it died before Terraform stored it (issue 25).
//!
//! Without a fleet key, the org's API token, which Okta returns once, is the only way into the
//! new org until Terraform's state holds it. The birth helper (a process of its own, which a
//! SIGKILL of the provider or of Terraform does not end) keeps it in custody: while the create
//! that asked for the org works, nobody gets it; when the create says it returned the org to
//! Terraform (`RETURNED_LINE`), the custody ends; when the create's process ends without
//! saying so (killed), the helper hands the token to the next create of the same org that
//! claims it, on a Unix socket beside the org's birth lock, for up to `CUSTODY`. The claimant
//! then stands where the first create stood: it says `"returned"` on the socket once its own
//! response holds the token, and if its connection ends without that (it was killed too), the
//! helper keeps the token again for the next claim.
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
use super::birth_wire::{RETURNED_LINE, Report};

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

    /// A claimant took the token and ended without returning it: the custody starts again.
    fn claimant_gone(&self) {
        self.update(|state| state.gone_at = Some(Instant::now()));
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
            Ok((stream, _)) => match serve(stream, created, subdomain, parent, custody) {
                Served::Refused => {}
                Served::Returned => {
                    tracing::info!(
                        subdomain,
                        "the apply that claimed the new org's token returned it"
                    );
                    break;
                }
                Served::ClaimantGone => {
                    tracing::warn!(
                        subdomain,
                        "the apply that claimed the new org's token ended without returning it: the token is kept again"
                    );
                    parent.claimant_gone();
                }
            },
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

/// What came of one connection to the custody socket.
enum Served {
    /// Not a claim this helper answers with the token (another user, another org, busy).
    Refused,
    /// The claimant took the token and returned it to Terraform.
    Returned,
    /// The claimant took the token and ended without saying that it returned it.
    ClaimantGone,
}

/// Answers one claim; with the token, it then waits (up to `custody`) for the claimant's
/// `"returned"`.
fn serve(
    stream: UnixStream,
    created: &ChildOrg,
    subdomain: &str,
    parent: &ParentWatch,
    custody: Duration,
) -> Served {
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
        return Served::Refused;
    }
    if !same_user(&stream) {
        tracing::warn!("a claim from another user was refused");
        return Served::Refused;
    }
    let mut line = String::new();
    let read = BufReader::new((&stream).take(MAX_CLAIM_BYTES)).read_line(&mut line);
    let claimed = read
        .ok()
        .and_then(|_| serde_json::from_str::<Claim>(&line).ok());
    if claimed.is_none_or(|claim| !claim.subdomain.eq_ignore_ascii_case(subdomain)) {
        tracing::warn!("a claim that is not for this org was refused");
        return Served::Refused;
    }
    if parent.now().gone_at.is_none() {
        answer(&stream, BUSY_LINE);
        return Served::Refused;
    }
    let Ok(report) = serde_json::to_string(&Report::of(&BirthEvent::Created(created.clone())))
    else {
        return Served::Refused;
    };
    answer(&stream, &report);
    // The claimant now holds the token in memory only, as the create did: its word, or its end.
    if stream.set_read_timeout(Some(custody)).is_err() {
        return Served::ClaimantGone;
    }
    let mut word = String::new();
    match BufReader::new((&stream).take(MAX_CLAIM_BYTES)).read_line(&mut word) {
        Ok(_) if word.trim() == RETURNED_LINE => Served::Returned,
        _ => Served::ClaimantGone,
    }
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
    /// The org, with its token; its helper keeps it until told that it was returned.
    Org(Box<ClaimedOrg>),
}

/// A claimed org, and the connection on which its helper waits to hear that it was returned.
#[derive(Debug)]
pub(super) struct ClaimedOrg {
    pub org: ChildOrg,
    keeper: UnixStream,
}

impl ClaimedOrg {
    /// Tells the helper that the create returned the org, token included, to Terraform; the
    /// helper then lets go. Said only once the response is ready. Dropped without it (the
    /// process killed), the helper keeps the token for the next claim.
    pub(super) fn returned(mut self) {
        let _ = self
            .keeper
            .write_all(format!("{RETURNED_LINE}\n").as_bytes())
            .and_then(|()| self.keeper.flush());
    }
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
    // Through a reference: the stream is kept for the word that the org was returned. The
    // helper sends nothing after its answer, so the buffer takes nothing more.
    if BufReader::new((&stream).take(MAX_CLAIM_BYTES * 16))
        .read_line(&mut answer)
        .is_err()
    {
        return Claimed::Nothing;
    }
    if answer.trim() == BUSY_LINE {
        return Claimed::Busy;
    }
    match serde_json::from_str::<Report>(&answer).map(Report::into_event) {
        Ok(BirthEvent::Created(org)) => Claimed::Org(Box::new(ClaimedOrg {
            org,
            keeper: stream,
        })),
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
        assert_eq!(handed.org.id, "00o-custody");
        assert_eq!(handed.org.token.expose(), "custody-token-value");
        assert_eq!(handed.org.admin_user_id.as_deref(), Some("00u-admin"));
        // The claimant dies before returning the org: the helper keeps the token again.
        drop(handed);
        let Claimed::Org(again) = claim(partner, &subdomain).await else {
            panic!("a claimant that died without returning the org gives the token back");
        };
        assert_eq!(again.org.token.expose(), "custody-token-value");
        assert!(!keeper.is_finished(), "kept until the org is returned");
        again.returned();
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

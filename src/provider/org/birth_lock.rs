//! One birth of an org at a time, across processes (issue 25): the birth of an org (in the
//! birth helper process, or in the provider itself) holds an exclusive advisory lock on a file
//! named after the partner org and the subdomain, for as long as it may still change the org;
//! the create that finds the subdomain taken waits for that lock before it reclaims the org, so
//! it never races an earlier run's birth that is still registering the org's app. A lock dies
//! with its process, so a killed holder never blocks anyone.
//!
//! The holder removes the file before it lets go, so that one empty file per org created does
//! not pile up in the temporary directory. A waiter that then gets the lock of the removed file
//! sees that the name no longer leads to it, and opens the name again: the lock that counts is
//! always the one on the file the name leads to.
//!
//! The files live in a directory of this user's own inside the temporary directory
//! (`okta-msp-UID`, mode 0700), so that another local user can neither hold an org's lock nor
//! plant a file at its name; a directory there that is not this user's, or that others may
//! write to, is refused (the create then goes on without the lock, with a warning).

use std::fs::{DirBuilder, File, OpenOptions, TryLockError};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a busy lock is tried again.
const RETRY_EVERY: Duration = Duration::from_millis(100);

/// The held lock; dropping it removes the file and releases it (the process ending releases
/// it too, leaving the file for the next holder to remove).
#[derive(Debug)]
pub(super) struct BirthLock {
    file: File,
    path: PathBuf,
}

impl Drop for BirthLock {
    fn drop(&mut self) {
        // Still held here: whoever waits on this file finds it gone and opens the name again.
        if leads_to(&self.path, &self.file) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether `path` still names `file` (the same inode on the same device), not a removed file.
fn leads_to(path: &Path, file: &File) -> bool {
    match (std::fs::symlink_metadata(path), file.metadata()) {
        (Ok(named), Ok(held)) => named.dev() == held.dev() && named.ino() == held.ino(),
        _ => false,
    }
}

/// The lock file of the org `subdomain` created through the partner org at `partner_url`, in
/// this user's lock directory: a digest of both names it, so that no URL shapes a path.
#[cfg(test)]
fn lock_path(partner_url: &str, subdomain: &str) -> PathBuf {
    lock_dir(&std::env::temp_dir()).join(lock_name(partner_url, subdomain))
}

/// This user's directory for lock files under `root` (the temporary directory).
fn lock_dir(root: &Path) -> PathBuf {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    root.join(format!("okta-msp-{uid}"))
}

/// Makes this user's lock directory under `root` if it is missing, and checks that it is a
/// directory (not a link) of this user's that no one else may write to.
fn private_lock_dir(root: &Path) -> std::io::Result<PathBuf> {
    let dir = lock_dir(root);
    match DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(error),
    }
    let found = std::fs::symlink_metadata(&dir)?;
    // SAFETY: as above.
    let uid = unsafe { libc::getuid() };
    let refuse = |why: &str| {
        Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("{} {why}", dir.display()),
        ))
    };
    if !found.file_type().is_dir() {
        return refuse("is not a directory");
    }
    if found.uid() != uid {
        return refuse("belongs to another user");
    }
    if found.mode() & 0o022 != 0 {
        return refuse("may be written to by other users");
    }
    Ok(dir)
}

/// The path of the org's `extension` file (the birth helper's custody socket: `sock`) in this
/// user's lock directory, which is made if missing and checked as for the lock.
pub(super) fn private_path(
    partner_url: &str,
    subdomain: &str,
    extension: &str,
) -> std::io::Result<PathBuf> {
    let dir = private_lock_dir(&std::env::temp_dir())?;
    let name = lock_name(partner_url, subdomain);
    Ok(dir.join(name.replace(".lock", &format!(".{extension}"))))
}

/// The lock file's name: a digest of the partner org and the subdomain.
fn lock_name(partner_url: &str, subdomain: &str) -> String {
    let key = format!(
        "{}\n{}",
        partner_url.trim_end_matches('/').to_ascii_lowercase(),
        subdomain.to_ascii_lowercase()
    );
    let name = crate::provider::digest::sha256_hex(key.as_bytes(), 24);
    format!("okta-msp-org-birth-{name}.lock")
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub(super) enum LockError {
    #[error("cannot open the lock file {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot lock {path}: {source}")]
    Lock {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("an earlier birth of the org still held {path} after {waited:?}")]
    StillHeld { path: String, waited: Duration },
}

/// Takes the birth lock of the org, waiting up to `bound` for a holder to finish (or die); says
/// at info level that it waits, once. Cancel-safe: dropping the future stops the wait (a
/// blocking lock in a thread could not be given up on a stop).
pub(super) async fn acquire(
    partner_url: &str,
    subdomain: &str,
    bound: Duration,
) -> Result<BirthLock, LockError> {
    let root = std::env::temp_dir();
    let path = lock_dir(&root).join(lock_name(partner_url, subdomain));
    let shown = || path.display().to_string();
    private_lock_dir(&root).map_err(|source| LockError::Open {
        path: shown(),
        source,
    })?;
    let open = || {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            // The temporary directory is shared: never follow a link planted at the name.
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|source| LockError::Open {
                path: shown(),
                source,
            })
    };
    let mut file = open()?;
    let started = Instant::now();
    let mut said = false;
    loop {
        match file.try_lock() {
            // The holder removed the file as it let go: the name leads to another one now.
            Ok(()) if !leads_to(&path, &file) => {
                file = open()?;
                continue;
            }
            Ok(()) => {
                if said {
                    tracing::info!(
                        subdomain,
                        waited_seconds = started.elapsed().as_secs(),
                        "the earlier run's birth of the org has ended"
                    );
                }
                return Ok(BirthLock { file, path });
            }
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(source)) => {
                return Err(LockError::Lock {
                    path: shown(),
                    source,
                });
            }
        }
        if started.elapsed() >= bound {
            return Err(LockError::StillHeld {
                path: shown(),
                waited: bound,
            });
        }
        if !said {
            tracing::info!(
                subdomain,
                "waiting for an earlier run's birth of the org to finish before reaching it"
            );
            said = true;
        }
        tokio::time::sleep(RETRY_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_file_is_named_by_partner_and_subdomain_alone() {
        let one = lock_path("https://partner.okta.com/", "Acme");
        assert_eq!(one, lock_path("https://PARTNER.okta.com", "acme"));
        assert_ne!(one, lock_path("https://partner.okta.com", "acme2"));
        assert_ne!(one, lock_path("https://other.okta.com", "acme"));
        let name = one.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("okta-msp-org-birth-") && name.ends_with(".lock"));
    }

    #[test]
    fn lock_files_live_in_a_directory_only_this_user_may_write_to() {
        let root = tempfile::tempdir().unwrap();
        let dir = private_lock_dir(root.path()).unwrap();
        let made = std::fs::metadata(&dir).unwrap();
        assert_eq!(made.mode() & 0o777, 0o700);
        // SAFETY: getuid has no preconditions.
        assert_eq!(made.uid(), unsafe { libc::getuid() });
        assert_eq!(private_lock_dir(root.path()).unwrap(), dir, "found again");

        // Opened to others (as a directory someone else made for us would be): refused.
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .unwrap();
        let open = private_lock_dir(root.path()).unwrap_err();
        assert!(open.to_string().contains("other users"), "{open}");

        // A link planted at the name: refused, never followed.
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::remove_dir(&dir).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), &dir).unwrap();
        let link = private_lock_dir(root.path()).unwrap_err();
        assert!(link.to_string().contains("not a directory"), "{link}");
    }

    #[tokio::test]
    async fn a_held_lock_is_waited_for_and_taken_once_released() {
        let subdomain = format!("lock-test-{}", std::process::id());
        let held = acquire("https://partner.example", &subdomain, Duration::ZERO)
            .await
            .unwrap();
        // Another open file description: the same conflict as another process's.
        let refused = acquire("https://partner.example", &subdomain, Duration::ZERO).await;
        assert!(
            matches!(refused, Err(LockError::StillHeld { .. })),
            "{refused:?}"
        );
        let waiter = tokio::spawn(async move {
            acquire(
                "https://partner.example",
                &subdomain,
                Duration::from_secs(30),
            )
            .await
        });
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(!waiter.is_finished(), "the waiter took a held lock");
        let path = lock_path(
            "https://partner.example",
            &format!("lock-test-{}", std::process::id()),
        );
        assert!(path.exists());
        drop(held);
        let taken = waiter.await.unwrap().unwrap();
        // The waiter holds the file the name leads to, and removes it in its turn.
        assert!(
            leads_to(&path, &taken.file),
            "the waiter locked a removed file"
        );
        drop(taken);
        assert!(!path.exists(), "the last holder leaves no file behind");
    }

    #[tokio::test]
    async fn a_lock_on_a_removed_file_is_not_taken_for_the_org_s() {
        let subdomain = format!("lock-stale-{}", std::process::id());
        let path = lock_path("https://partner.example", &subdomain);
        // A waiter's view: it opened the file, then the holder removed it and let go.
        let stale = File::create(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(!leads_to(&path, &stale));
        let other = acquire("https://partner.example", &subdomain, Duration::ZERO)
            .await
            .unwrap();
        assert!(leads_to(&path, &other.file));
        drop(other);
        assert!(!path.exists());
    }
}

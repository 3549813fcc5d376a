//! `--data FILE`: a snapshot of the whole state followed by a journal of changes, one JSON
//! document per line, readable only by its owner (it holds every token in plain text).
//!
//! A write appends one line (what it changed) and fsyncs before it is acknowledged, so its cost
//! follows the change, not the file. Writers that arrive together share one append and one fsync.
//! When the journal has grown past the snapshot (and past [`MIN_JOURNAL_BYTES`]), the next write
//! saves a fresh snapshot instead, crash-safely (temporary file, fsync, rename, fsync of the
//! directory), which drops the journal; so does every start.
//!
//! A process killed mid-append leaves at most one unterminated last line. That write was never
//! acknowledged, and loading ignores it.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::store::State;

/// The journal may grow to at least this size before a snapshot replaces it, so that a small
/// state is not rewritten every few writes.
pub const MIN_JOURNAL_BYTES: u64 = 1024 * 1024;

/// The file's owner reads and writes it; nobody else may (it holds every token in plain text).
const FILE_MODE: u32 = 0o600;

/// The first line of the data file.
#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    pub partner_token: String,
    pub admin_token: String,
    pub state: State,
}

/// What one change to the state saves.
pub enum Save {
    /// One journal line (without its newline).
    Change(Vec<u8>),
    /// A whole [`Snapshot`], serialised; it replaces the file.
    Snapshot(Vec<u8>),
}

pub struct Persister {
    path: PathBuf,
    /// [`MIN_JOURNAL_BYTES`], smaller in unit tests.
    min_journal_bytes: u64,
    /// Saves not yet written, in the order of the changes they record: they are queued while the
    /// state's lock is held, so this order is the order of the mutations.
    queue: Mutex<Queue>,
    /// The open file and the newest generation durable in it. One writer at a time; a writer
    /// takes every queued save, so the others find their generation already durable.
    writer: Mutex<Writer>,
}

#[derive(Default)]
struct Queue {
    saves: Vec<(u64, Save)>,
    /// Bytes in the journal after the last snapshot, queued ones included.
    journal_bytes: u64,
    /// Bytes of the last snapshot.
    snapshot_bytes: u64,
    /// A write failed: the journal on disk may lack a change, so the next save is a snapshot.
    broken: bool,
}

#[derive(Default)]
struct Writer {
    file: Option<fs::File>,
    durable: u64,
}

impl Persister {
    pub fn new(path: PathBuf) -> Persister {
        Persister {
            path,
            min_journal_bytes: MIN_JOURNAL_BYTES,
            queue: Mutex::new(Queue::default()),
            writer: Mutex::new(Writer::default()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved snapshot with its journal replayed, or `None` when the file does not exist yet.
    pub fn load(&self) -> Result<Option<Snapshot>, std::io::Error> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let invalid = |line: usize, error: serde_json::Error| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("line {line}: {error}"),
            )
        };
        let mut lines = bytes.split(|byte| *byte == b'\n').enumerate().peekable();
        let Some((_, first)) = lines.next() else {
            return Ok(None);
        };
        let mut snapshot: Snapshot =
            serde_json::from_slice(first).map_err(|error| invalid(1, error))?;
        while let Some((index, line)) = lines.next() {
            // The text after the last newline is an append that never finished: not a change
            // anyone was told about.
            let unterminated = lines.peek().is_none();
            if line.is_empty() || unterminated {
                continue;
            }
            snapshot
                .state
                .replay_changes(line)
                .map_err(|error| invalid(index + 1, error))?;
        }
        snapshot.state.finish_replay();
        Ok(Some(snapshot))
    }

    /// Whether the next change should be saved as a snapshot: the journal outgrew it, or a
    /// failed write left the journal incomplete. Asked under the state's lock.
    pub fn wants_snapshot(&self) -> bool {
        let queue = lock(&self.queue);
        queue.broken || queue.journal_bytes > queue.snapshot_bytes.max(self.min_journal_bytes)
    }

    /// Queues the save of change `generation`; called under the state's lock, in order.
    pub fn enqueue(&self, generation: u64, save: Save) {
        let mut queue = lock(&self.queue);
        match &save {
            Save::Change(line) => queue.journal_bytes += line.len() as u64 + 1,
            Save::Snapshot(bytes) => {
                queue.snapshot_bytes = bytes.len() as u64;
                queue.journal_bytes = 0;
                queue.broken = false;
            }
        }
        queue.saves.push((generation, save));
    }

    /// Returns once change `generation` (and every change before it) is durable on disk.
    /// Blocking: call it off the async runtime's workers.
    pub fn flush(&self, generation: u64) -> Result<(), std::io::Error> {
        let mut writer = lock(&self.writer);
        if writer.durable >= generation {
            return Ok(());
        }
        let saves = std::mem::take(&mut lock(&self.queue).saves);
        let written = self.write(&mut writer, saves);
        if written.is_err() {
            lock(&self.queue).broken = true;
            writer.file = None;
        }
        written
    }

    fn write(&self, writer: &mut Writer, saves: Vec<(u64, Save)>) -> Result<(), std::io::Error> {
        let mut lines = Vec::new();
        let mut newest = writer.durable;
        for (generation, save) in saves {
            match save {
                Save::Change(line) => {
                    lines.extend_from_slice(&line);
                    lines.push(b'\n');
                }
                Save::Snapshot(bytes) => {
                    // The snapshot holds every earlier change: lines not yet written are moot.
                    lines.clear();
                    writer.file = Some(self.replace_file(&bytes)?);
                }
            }
            newest = newest.max(generation);
        }
        if !lines.is_empty() {
            let file = match &mut writer.file {
                Some(file) => file,
                None => writer.file.insert(self.open_for_append()?),
            };
            file.write_all(&lines)?;
            file.sync_data()?;
        }
        writer.durable = newest;
        Ok(())
    }

    /// Writes `snapshot` as the whole file, crash-safely, and opens it for appending.
    fn replace_file(&self, snapshot: &[u8]) -> Result<fs::File, std::io::Error> {
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(FILE_MODE)
                .open(&temporary)?;
            // A temporary file left by an older version may have been created more open.
            file.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
            file.write_all(snapshot)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
        }
        fs::rename(&temporary, &self.path)?;
        let directory = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::File::open(directory)?.sync_all()?;
        self.open_for_append()
    }

    fn open_for_append(&self) -> Result<fs::File, std::io::Error> {
        fs::OpenOptions::new()
            .append(true)
            .mode(FILE_MODE)
            .open(&self.path)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::State;

    fn snapshot_of(state: &State) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "partner_token": "00partner",
            "admin_token": "admin",
            "state": state,
        }))
        .unwrap()
    }

    fn lines(path: &Path) -> Vec<String> {
        fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn changes_are_appended_to_a_private_file_and_replayed_on_load() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("data.json");
        let persister = Persister::new(path.clone());
        let mut state = State::new("00partner", crate::engine::Engine::default());
        persister.enqueue(1, Save::Snapshot(snapshot_of(&state)));
        state.forget_changes();
        persister.flush(1).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the file holds every token in plain text");
        let first = lines(&path)[0].clone();

        for (generation, subdomain) in [(2, "acme"), (3, "beta")] {
            state
                .seed_org(subdomain, subdomain, crate::engine::Engine::default())
                .unwrap();
            let line = state.take_changes().unwrap();
            persister.enqueue(generation, Save::Change(line));
        }
        // One flush writes both queued changes (the second waiter finds its change durable).
        persister.flush(2).unwrap();
        persister.flush(3).unwrap();
        let written = lines(&path);
        assert_eq!(written.len(), 3);
        assert_eq!(
            written[0], first,
            "the snapshot is not rewritten by a change"
        );

        // An append cut short by a crash is ignored; it was never acknowledged.
        let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"orgs":{"gamma""#).unwrap();
        let loaded = persister.load().unwrap().unwrap();
        assert_eq!(
            serde_json::to_value(&loaded.state).unwrap(),
            serde_json::to_value(&state).unwrap()
        );
        assert!(
            loaded
                .state
                .org("beta")
                .unwrap()
                .authenticate("beta", 0)
                .is_ok()
        );

        // A complete line that is not a change is corruption, reported with its line.
        file.write_all(b"\nnot json\n").unwrap();
        let error = persister.load().err().unwrap();
        assert!(error.to_string().contains("line 4"), "{error}");
    }

    #[test]
    fn a_file_written_by_an_earlier_emulator_loads_as_a_snapshot() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("old.json");
        // Earlier versions wrote the snapshot alone, without a newline.
        let state = State::new("00partner", crate::engine::Engine::default());
        fs::write(&path, snapshot_of(&state)).unwrap();
        let loaded = Persister::new(path).load().unwrap().unwrap();
        assert_eq!(loaded.partner_token, "00partner");
        assert_eq!(
            serde_json::to_value(&loaded.state).unwrap(),
            serde_json::to_value(&state).unwrap()
        );
    }

    #[test]
    fn a_snapshot_replaces_the_journal_once_it_outgrows_the_snapshot() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("data.json");
        let mut persister = Persister::new(path.clone());
        persister.min_journal_bytes = 0;
        let mut state = State::new("00partner", crate::engine::Engine::default());
        persister.enqueue(1, Save::Snapshot(snapshot_of(&state)));
        state.forget_changes();
        let mut generation = 1;
        while !persister.wants_snapshot() {
            generation += 1;
            state
                .seed_org(
                    &format!("org{generation}"),
                    "token",
                    crate::engine::Engine::default(),
                )
                .unwrap();
            persister.enqueue(generation, Save::Change(state.take_changes().unwrap()));
        }
        persister.flush(generation).unwrap();
        assert_eq!(lines(&path).len() as u64, generation);
        generation += 1;
        persister.enqueue(generation, Save::Snapshot(snapshot_of(&state)));
        state.forget_changes();
        assert!(!persister.wants_snapshot());
        persister.flush(generation).unwrap();
        assert_eq!(lines(&path).len(), 1, "the journal is gone");
        let loaded = persister.load().unwrap().unwrap();
        assert_eq!(loaded.state.orgs.len(), state.orgs.len());
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

//! `--data FILE`: the whole state as JSON, replaced atomically (write a temporary file, fsync it,
//! rename it over the old one, fsync the directory) before a mutation is acknowledged.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::emulator::store::State;

/// What the data file holds.
#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    pub partner_token: String,
    pub admin_token: String,
    pub state: State,
}

pub struct Persister {
    path: PathBuf,
    /// The newest generation on disk; writers of older generations have nothing left to do
    /// because a newer snapshot already contains their change. The lock also keeps two writers
    /// from sharing the temporary file.
    written: Mutex<u64>,
}

impl Persister {
    pub fn new(path: PathBuf) -> Persister {
        Persister {
            path,
            written: Mutex::new(0),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved snapshot, or `None` when the file does not exist yet.
    pub fn load(&self) -> Result<Option<Snapshot>, std::io::Error> {
        match fs::read(&self.path) {
            Ok(bytes) => {
                let mut snapshot: Snapshot = serde_json::from_slice(&bytes)
                    .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))?;
                snapshot.state.reindex();
                Ok(Some(snapshot))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Durably replaces the file with `bytes`, unless a newer generation is already there.
    pub fn save(&self, generation: u64, bytes: &[u8]) -> Result<(), std::io::Error> {
        let mut written = self
            .written
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if generation <= *written {
            return Ok(());
        }
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        {
            let mut file = fs::File::create(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        fs::rename(&temporary, &self.path)?;
        let directory = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::File::open(directory)?.sync_all()?;
        *written = generation;
        Ok(())
    }
}

//! The eventually consistent index that answers `search` on users.
//!
//! Okta documents that "the `search` parameter results are sourced from an eventually consistent
//! datasource and may not reflect the latest information", while `filter` and lookups by id or
//! login read the users themselves. So the emulator keeps, per org, the users' search documents
//! as the index holds them, and the changes still on their way to it: a change made at `t`
//! reaches the index at `t + lag`. With no lag nothing is kept and `search` reads the users.
//!
//! Changes are taken from the users table's marks of what a write touched, once per write (the
//! same marks the `--data` journal reads), so no operation has to remember to tell the index.

use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

use super::{Table, User};

/// One org's search index; never saved (after a restart the index starts level with the users).
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// The documents the index holds, by the user's position in the table; `None` until the
    /// first write after the state was created or loaded levels the index with the users.
    indexed: Option<BTreeMap<u64, Value>>,
    /// Changes not applied to `indexed` yet, oldest first: when each was made (Unix
    /// milliseconds), the user's position, and its new document (`None`: the user was removed).
    pending: VecDeque<(i64, u64, Option<Value>)>,
}

impl SearchIndex {
    /// Takes in the changes the last write made to `users` (its marked rows) at `now`, and
    /// applies those at least `lag_ms` old. Must run before the marks are cleared.
    pub(super) fn record(&mut self, users: &Table<User>, now: i64, lag_ms: i64) {
        if lag_ms <= 0 {
            self.indexed = None;
            self.pending.clear();
            return;
        }
        let Some(indexed) = self.indexed.as_mut() else {
            self.indexed = Some(
                users
                    .rows
                    .iter()
                    .map(|(seq, user)| (*seq, user.search_document()))
                    .collect(),
            );
            return;
        };
        while let Some((made, _, _)) = self.pending.front() {
            if made + lag_ms > now {
                break;
            }
            let Some((_, seq, document)) = self.pending.pop_front() else {
                break;
            };
            match document {
                Some(document) => indexed.insert(seq, document),
                None => indexed.remove(&seq),
            };
        }
        for seq in &users.dirty {
            let document = users.rows.get(seq).map(User::search_document);
            self.pending.push_back((now, *seq, document));
        }
    }

    /// The documents `search` sees at `now`, by position in creation order; `None` when the
    /// index is not kept (no lag) and `search` reads the users themselves.
    pub fn view(&self, now: i64, lag_ms: i64) -> Option<BTreeMap<u64, &Value>> {
        if lag_ms <= 0 {
            return None;
        }
        let indexed = self.indexed.as_ref()?;
        let mut view: BTreeMap<u64, &Value> = indexed.iter().map(|(k, v)| (*k, v)).collect();
        for (made, seq, document) in &self.pending {
            if made + lag_ms > now {
                break;
            }
            match document {
                Some(document) => view.insert(*seq, document),
                None => view.remove(seq),
            };
        }
        Some(view)
    }
}

//! The row storage every family shares: rows in creation order with an index by id and marks of
//! what a write touched (which the `--data` journal and the search index read), and paging.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::ApiError;

/// One row kind of a [`Table`].
pub trait Row {
    fn id(&self) -> &str;
}

/// Rows in creation order (the order lists page through) with an index by id.
#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(
    serialize = "T: Serialize",
    deserialize = "T: serde::de::DeserializeOwned"
))]
pub struct Table<T> {
    pub(super) rows: BTreeMap<u64, T>,
    #[serde(skip)]
    positions: HashMap<String, u64>,
    /// Positions of rows inserted, changed or removed since the data file's journal last
    /// recorded this table. Every mutable access marks its row, which is what lets a write save
    /// only what it touched.
    #[serde(skip)]
    pub(super) dirty: BTreeSet<u64>,
}

impl<T: Row> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: BTreeMap::new(),
            positions: HashMap::new(),
            dirty: BTreeSet::new(),
        }
    }
}

impl<T: Row> Table<T> {
    pub fn get(&self, id: &str) -> Option<&T> {
        self.positions.get(id).and_then(|seq| self.rows.get(seq))
    }

    /// The row with `id`, or Okta's not-found error (E0000007) naming it as a `kind`. Operations
    /// look rows up this way even right after checking or inserting them, so that no lookup a
    /// request can reach panics if an earlier step changes.
    pub fn found(&self, id: &str, kind: &'static str) -> Result<&T, ApiError> {
        self.get(id).ok_or_else(|| ApiError::not_found(id, kind))
    }

    /// [`found`](Self::found) for a change: marks the row as touched.
    pub fn found_mut(&mut self, id: &str, kind: &'static str) -> Result<&mut T, ApiError> {
        self.get_mut(id)
            .ok_or_else(|| ApiError::not_found(id, kind))
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let seq = *self.positions.get(id)?;
        self.dirty.insert(seq);
        self.rows.get_mut(&seq)
    }

    pub(super) fn insert(&mut self, seq: u64, row: T) {
        self.positions.insert(row.id().to_string(), seq);
        self.dirty.insert(seq);
        self.rows.insert(seq, row);
    }

    pub(super) fn remove(&mut self, id: &str) -> Option<T> {
        let seq = self.positions.remove(id)?;
        self.dirty.insert(seq);
        self.rows.remove(&seq)
    }

    /// Rows with their positions, in creation order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, &T)> {
        self.rows.iter().map(|(seq, row)| (*seq, row))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.rows.values()
    }

    pub(super) fn reindex(&mut self) {
        self.positions = self
            .rows
            .iter()
            .map(|(seq, row)| (row.id().to_string(), *seq))
            .collect();
    }
}

/// One page of a list and the position the next page starts after, if there is one.
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<u64>,
}

/// Pages rows (in order) that come after `after`, `limit` at a time.
pub fn paginate<T>(
    rows: impl Iterator<Item = (u64, T)>,
    after: Option<u64>,
    limit: usize,
) -> Page<T> {
    let mut items = Vec::new();
    let mut last = None;
    let mut more = false;
    for (seq, row) in rows.filter(|(seq, _)| after.is_none_or(|after| *seq > after)) {
        if items.len() == limit {
            more = true;
            break;
        }
        last = Some(seq);
        items.push(row);
    }
    Page {
        items,
        next_after: if more { last } else { None },
    }
}

//! What the mapping changed or refused to keep values valid, returned as data: the mapping
//! stays pure, the caller counts and logs.

/// Fields of one mapped row that were left out or cut.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappingNotes {
    /// Fields left out because their value cannot be valid (an invalid email).
    pub dropped: Vec<&'static str>,
    /// Fields cut to their limit at a character boundary, ending with "…".
    pub cut: Vec<&'static str>,
}

impl MappingNotes {
    pub fn is_empty(&self) -> bool {
        self.dropped.is_empty() && self.cut.is_empty()
    }
}

/// A mapped value and what the mapping had to change in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped<T> {
    pub value: T,
    pub notes: MappingNotes,
}

/// A row the mapping will not emit: one of its values is larger than any real value.
/// Nothing that points at the row (a grant, an entitlement) may be written either.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{resource_type} '{id}' is left out: its {field} is {bytes} bytes, over the {limit}-byte limit")]
pub struct RowRefused {
    /// `person` or `group`.
    pub resource_type: &'static str,
    /// The row's id, at most [`RowRefused::ID_SHOWN`] characters of it.
    pub id: String,
    pub field: &'static str,
    pub bytes: usize,
    pub limit: usize,
}

impl RowRefused {
    /// How much of an id the refusal shows (the id may be the over-long value).
    pub const ID_SHOWN: usize = 64;

    pub(crate) fn new(
        resource_type: &'static str,
        id: &str,
        field: &'static str,
        bytes: usize,
        limit: usize,
    ) -> Self {
        let id = match id.char_indices().nth(Self::ID_SHOWN) {
            Some((end, _)) => format!("{}…", &id[..end]),
            None => id.to_owned(),
        };
        Self { resource_type, id, field, bytes, limit }
    }
}

/// Refuses a row whose id is longer than [`crate::limits::ID_MAX`]: an id cannot be cut.
pub(crate) fn check_id(resource_type: &'static str, id: &str) -> Result<(), RowRefused> {
    use crate::limits::ID_MAX;
    if id.len() > ID_MAX {
        return Err(RowRefused::new(resource_type, id, "id", id.len(), ID_MAX));
    }
    Ok(())
}

/// Leaves out a value larger than [`crate::limits::FIELD_CAP`], naming it in `notes.dropped`.
/// One absurd value must not take its row, and with it a person's access, out of the sync.
pub(crate) fn drop_over_cap(value: &mut Option<String>, field: &'static str, notes: &mut MappingNotes) {
    if value.as_ref().is_some_and(|v| v.len() > crate::limits::FIELD_CAP) {
        *value = None;
        notes.dropped.push(field);
    }
}

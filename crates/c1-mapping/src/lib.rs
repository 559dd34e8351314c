//! How ChartHop becomes C1: resource types, resources, entitlements, grants, connector
//! metadata, capabilities and the configuration schema.
//!
//! Architecture invariant: this crate is pure. It does no IO, is not async, and is the only
//! crate that builds C1 ids (see [`ids`]). It never decides WHAT to sync: it maps what it
//! is given.

mod directory;
mod group_fields;
pub mod ids;
mod options;
mod person_fields;
mod text;

pub use directory::{GroupDirectory, GroupEntry, group_display_name};
pub use group_fields::{group_profile, member_description, member_display_name};
pub use options::MappingOptions;
pub use person_fields::{AccountState, Profile, account_state, person_display_name, person_profile};

/// Profile keys, for readers that look values up.
pub mod profile_keys {
    pub use crate::group_fields::profile_keys as group;
    pub use crate::person_fields::profile_keys as person;
}

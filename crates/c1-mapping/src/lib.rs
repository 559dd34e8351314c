//! How ChartHop becomes C1: resource types, resources (persons and groups), the `member`
//! entitlement of each group, membership grants, connector metadata and capabilities (the
//! configuration schema is the binary's, made from its settings table).
//!
//! Architecture invariant: this crate is pure. It does no IO, is not async, keeps no state
//! between calls, and is the only crate that builds C1 ids ([`ids`]). It never decides WHAT
//! to sync (filters, membership sources): it maps what it is given.
//!
//! Conventions: blank ChartHop values count as missing; a profile key without a value is
//! left out (never written empty); profile values are strings.
//!
//! Every emitted value obeys the public protos' validation rules ([`limits`]): invalid
//! emails are left out, over-long texts are cut with a marker, and values over
//! [`limits::FIELD_CAP`] are left out, so one absurd value never takes a person (and their
//! access) out of the sync. Only a row whose id is over [`limits::ID_MAX`] is refused
//! ([`RowRefused`]). What was changed comes back as [`MappingNotes`] beside the value, for
//! the caller to count.

#![forbid(unsafe_code)]

pub mod ids;
pub mod limits;

mod directory;
mod extras;
mod group;
mod group_fields;
mod json;
mod metadata;
mod notes;
mod options;
mod person;
mod person_fields;
mod proto_values;
mod resource_types;
mod text;

pub use directory::{GroupDirectory, GroupEntry};
pub use extras::{PersonExtras, custom_profile_key};
pub use group::{
    PersonGrants, check_group, group_resource, member_entitlement, membership_grant, person_grants,
};
pub use json::capabilities_json;
pub use metadata::{DISPLAY_NAME, capabilities, connector_metadata};
pub use notes::{Mapped, MappingNotes, RowRefused};
pub use options::MappingOptions;
pub use person::{person_resource, person_resource_with};
pub use person_fields::Profile;
pub use resource_types::resource_types;

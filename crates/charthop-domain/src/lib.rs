//! ChartHop's concepts as the connector understands them: [`Person`], [`Group`],
//! [`GroupType`], [`Membership`] and [`Employment`] (derived from hire dates).
//!
//! Architecture invariant: this crate depends on no workspace crate, does no IO, is not
//! async and knows nothing of JSON, HTTP or C1. Everything else builds on it.

#![forbid(unsafe_code)]

mod employment;
mod group;
mod person;

pub use chrono::{DateTime, NaiveDate, Utc};
pub use employment::Employment;
pub use group::{Group, GroupType, GroupTypeIndex, Membership, well_known_group_types};
pub use person::{Person, PersonName};

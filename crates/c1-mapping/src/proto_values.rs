//! Conversions from plain Rust values to protobuf well-known types.

use c1_proto::prost_types::{Struct, Timestamp, Value, value::Kind};
use charthop_domain::{DateTime, Utc};

use crate::person_fields::Profile;

/// A profile as a `Struct` of string values.
pub(crate) fn profile_struct(profile: &Profile) -> Struct {
    let fields = profile
        .iter()
        .map(|(key, value)| (key.clone(), Value { kind: Some(Kind::StringValue(value.clone())) }))
        .collect();
    Struct { fields }
}

pub(crate) fn timestamp(at: DateTime<Utc>) -> Timestamp {
    // Sub-second nanos are always below 2^31; the cast cannot truncate.
    Timestamp { seconds: at.timestamp(), nanos: at.timestamp_subsec_nanos() as i32 }
}

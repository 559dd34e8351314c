//! Canonical protobuf JSON (camelCase names, enum names, `Any` as `{"@type": ..., fields}`,
//! well-known types in their JSON forms, default values left out), built on prost-reflect
//! with the descriptor set generated beside the code.

use std::sync::LazyLock;

use prost::{Message, Name};
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};

/// Why a message could not be printed as JSON.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// The type is not in this crate's descriptor set.
    #[error(
        "message type `{type_name}` is not in c1-proto's descriptor set: add its .proto under proto/ \
         and run `cargo xtask codegen`"
    )]
    UnknownType { type_name: String },
    /// The encoded message did not decode against its descriptor (a stale descriptor set).
    #[error("message `{type_name}` does not match its descriptor: run `cargo xtask codegen`")]
    Decode {
        type_name: String,
        #[source]
        source: prost::DecodeError,
    },
    /// serde_json refused the value (not expected for protobuf JSON).
    #[error("could not build the JSON of message `{type_name}`")]
    Serialize {
        type_name: String,
        #[source]
        source: serde_json::Error,
    },
}

static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    DescriptorPool::decode(crate::FILE_DESCRIPTOR_SET)
        .expect("src/gen/descriptor.bin is written by `cargo xtask codegen` and checked by a test")
});

/// The descriptors of every message in this crate (decoded once, on first use).
pub fn descriptor_pool() -> &'static DescriptorPool {
    &POOL
}

/// The protobuf JSON of `message`, or why it cannot be built.
///
/// A `serde_json::Value` sorts object keys alphabetically; use
/// [`try_to_json_string_pretty`] where the field order matters.
pub fn try_to_json_value<M: Message + Name>(message: &M) -> Result<serde_json::Value, JsonError> {
    let (type_name, dynamic) = to_dynamic(message)?;
    dynamic
        .serialize_with_options(serde_json::value::Serializer, &options())
        .map_err(|source| JsonError::Serialize { type_name, source })
}

/// The protobuf JSON of `message` as text: fields in field-number order (as Go's protojson
/// prints them), 2-space indentation, no trailing newline.
pub fn try_to_json_string_pretty<M: Message + Name>(message: &M) -> Result<String, JsonError> {
    let (type_name, dynamic) = to_dynamic(message)?;
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"  ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    match dynamic.serialize_with_options(&mut serializer, &options()) {
        Ok(()) => Ok(String::from_utf8(out).expect("serde_json writes UTF-8")),
        Err(source) => Err(JsonError::Serialize { type_name, source }),
    }
}

/// The protobuf JSON of `message` (object keys sorted, see [`try_to_json_value`]).
///
/// # Panics
/// When `M` is not a message of this crate (or a well-known type it imports), or an `Any`
/// inside holds such a type: a programming error. Use [`try_to_json_value`] otherwise.
pub fn to_json_value<M: Message + Name>(message: &M) -> serde_json::Value {
    try_to_json_value(message).unwrap_or_else(|error| panic!("{error}"))
}

/// The protobuf JSON of `message`, pretty-printed in field order (see
/// [`try_to_json_string_pretty`]).
///
/// # Panics
/// As [`to_json_value`].
pub fn to_json_string_pretty<M: Message + Name>(message: &M) -> String {
    try_to_json_string_pretty(message).unwrap_or_else(|error| panic!("{error}"))
}

/// Re-decodes `message` against its descriptor so prost-reflect can print it.
fn to_dynamic<M: Message + Name>(message: &M) -> Result<(String, DynamicMessage), JsonError> {
    let type_name = M::full_name();
    let Some(descriptor) = POOL.get_message_by_name(&type_name) else {
        return Err(JsonError::UnknownType { type_name });
    };
    match DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice()) {
        Ok(dynamic) => Ok((type_name, dynamic)),
        Err(source) => Err(JsonError::Decode { type_name, source }),
    }
}

/// proto3 JSON: default scalars and empty lists are left out; a present message prints
/// (`{}` when empty); enums by name; 64-bit integers as strings.
fn options() -> SerializeOptions {
    SerializeOptions::new().skip_default_fields(true)
}

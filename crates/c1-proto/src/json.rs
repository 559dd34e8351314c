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
pub fn try_to_json_value<M: Message + Name>(message: &M) -> Result<serde_json::Value, JsonError> {
    let type_name = M::full_name();
    let Some(descriptor) = POOL.get_message_by_name(&type_name) else {
        return Err(JsonError::UnknownType { type_name });
    };
    let dynamic = match DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice()) {
        Ok(dynamic) => dynamic,
        Err(source) => return Err(JsonError::Decode { type_name, source }),
    };
    // proto3 JSON: default scalars and empty lists are left out; a present message prints.
    let options = SerializeOptions::new().skip_default_fields(true);
    dynamic
        .serialize_with_options(serde_json::value::Serializer, &options)
        .map_err(|source| JsonError::Serialize { type_name, source })
}

/// The protobuf JSON of `message`.
///
/// # Panics
/// When `M` is not a message of this crate (or a well-known type it imports): a
/// programming error. Use [`try_to_json_value`] for other types.
pub fn to_json_value<M: Message + Name>(message: &M) -> serde_json::Value {
    try_to_json_value(message).unwrap_or_else(|error| panic!("{error}"))
}

/// The protobuf JSON of `message`, pretty-printed with 2-space indentation.
///
/// # Panics
/// As [`to_json_value`].
pub fn to_json_string_pretty<M: Message + Name>(message: &M) -> String {
    let value = to_json_value(message);
    serde_json::to_string_pretty(&value).unwrap_or_else(|error| panic!("JSON value did not print: {error}"))
}

//! The JSON the `capabilities` and `config` subcommands print (spec §3): protobuf JSON in
//! field-number order (as Go's protojson writes it), 2-space indent, one trailing newline.
//! The committed `baton_capabilities.json` and `config_schema.json` must equal these byte
//! for byte.
//!
//! `c1_proto::json` goes through `serde_json::Value`, whose maps sort keys alphabetically;
//! here the message is serialized straight to text so the field order survives.

use c1_proto::json::descriptor_pool;
use c1_proto::pack_any;
use c1_proto::prost::{Message, Name};
use prost_reflect::{DynamicMessage, SerializeOptions};
use serde_json::ser::{PrettyFormatter, Serializer};

use crate::config::config_schema;
use crate::metadata::capabilities;

/// `ConnectorCapabilities` wrapped in an `Any` (so the JSON opens with its `@type`).
pub fn capabilities_json() -> String {
    ordered_pretty_json(&pack_any(&capabilities()))
}

pub fn config_json() -> String {
    ordered_pretty_json(&config_schema())
}

/// # Panics
/// When `M` is missing from c1-proto's descriptor set or does not match it: both are
/// build errors of c1-proto (its codegen test catches them), and these inputs are fixed.
fn ordered_pretty_json<M: Message + Name>(message: &M) -> String {
    let type_name = M::full_name();
    let descriptor = descriptor_pool()
        .get_message_by_name(&type_name)
        .unwrap_or_else(|| panic!("`{type_name}` is not in c1-proto's descriptor set"));
    let dynamic = DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice())
        .unwrap_or_else(|error| panic!("`{type_name}` does not match its descriptor: {error}"));
    let mut out = Vec::new();
    let mut serializer = Serializer::with_formatter(&mut out, PrettyFormatter::with_indent(b"  "));
    dynamic
        .serialize_with_options(&mut serializer, &SerializeOptions::new().skip_default_fields(true))
        .unwrap_or_else(|error| panic!("`{type_name}` did not serialize: {error}"));
    let mut text = String::from_utf8(out).expect("serde_json writes UTF-8");
    text.push('\n');
    text
}

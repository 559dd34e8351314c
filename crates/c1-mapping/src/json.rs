//! The JSON the `capabilities` and `config` subcommands print (`docs/c1-wire.md`,
//! "Capabilities and config output"): protobuf JSON in field-number order (as Go's protojson
//! writes it), 2-space indent, one trailing newline.
//! The committed `baton_capabilities.json` and `config_schema.json` must equal these byte
//! for byte.

use c1_proto::json::to_json_string_pretty;
use c1_proto::pack_any;

use crate::config::config_schema;
use crate::metadata::capabilities;

/// `ConnectorCapabilities` wrapped in an `Any` (so the JSON opens with its `@type`).
pub fn capabilities_json() -> String {
    to_json_string_pretty(&pack_any(&capabilities())) + "\n"
}

pub fn config_json() -> String {
    to_json_string_pretty(&config_schema()) + "\n"
}

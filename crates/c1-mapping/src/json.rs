//! The JSON the `capabilities` subcommand prints (`docs/c1-wire.md`, "Capabilities and config
//! output"): protobuf JSON in field-number order (as Go's protojson writes it), 2-space indent,
//! one trailing newline. The committed `baton_capabilities.json` must equal it byte for byte.
//! (The configuration schema belongs to the binary's settings table.)

use c1_proto::json::to_json_string_pretty;
use c1_proto::pack_any;

use crate::metadata::capabilities;

/// `ConnectorCapabilities` wrapped in an `Any` (so the JSON opens with its `@type`).
pub fn capabilities_json() -> String {
    to_json_string_pretty(&pack_any(&capabilities())) + "\n"
}

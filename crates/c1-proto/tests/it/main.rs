//! c1-proto tests: generated code freshness, Any helpers, wire numbers, JSON and task decoding.

// The generator xtask runs; `write` is only used there.
#[allow(dead_code)]
#[path = "../../codegen/mod.rs"]
mod codegen;

mod any;
mod connector_api;
mod facts;
mod freshness;
mod json;
mod task;
mod wire;

//! c1-connector-server tests: a small static backend served on 127.0.0.1 and a syncer that
//! walks the API as the Go SDK's syncer does.

mod backend;
mod errors;
mod syncer;
mod tls;

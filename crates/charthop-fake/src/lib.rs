//! A fake ChartHop REST API for tests, benchmarks and the demo: a seeded org generator
//! ([`generate_org`]) and an axum server ([`FakeChartHop`]) on 127.0.0.1 that serves the
//! calls the connector makes, with a knob ([`Knobs`]) for every behaviour ChartHop's public
//! record leaves open and for every fault a client must survive. It counts requests per
//! [`Endpoint`] and exposes the ground truth ([`Org`]).
//!
//! Architecture invariant: this crate builds ChartHop JSON from the documented shapes on its
//! own and never uses `charthop-client`'s types, so a misreading of the API cannot hide in
//! both. It never listens on anything but 127.0.0.1, and it never prints a token in `Debug`.
//! Every route and query parameter it serves is listed in [`ROUTES`], which a test holds to
//! ChartHop's OpenAPI files.

#![forbid(unsafe_code)]

mod body_cache;
mod custom;
mod endpoint;
mod error;
mod generate;
mod handlers;
mod knobs;
mod org;
mod paging;
mod pipeline;
mod prng;
mod query;
mod rows;
mod server;
mod spec;
mod store;

pub use custom::{CUSTOM_FIELD_CODES, custom_field};
pub use endpoint::{Endpoint, ROUTES, Route};
pub use generate::generate_org;
pub use knobs::{GroupIdsAnswer, Knobs, NextShape, RetryAfter};
pub use org::Org;
pub use paging::PagingMode;
pub use server::{FakeChartHop, ListRequests};
pub use spec::OrgSpec;

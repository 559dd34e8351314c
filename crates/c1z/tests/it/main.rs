//! Integration tests of the `.c1z` writer and reader.

mod compare;
mod corrupt;
mod determinism;
mod early_indexes;
mod failures;
mod frame;
mod go_fixture;
mod hostile;
mod keep_first;
mod keep_previous;
mod large;
mod model;
mod properties;
mod round_trip;
mod schema;
mod support;
mod target;

//! Integration tests of the ChartHop client: against scripted stubs (shapes and faults the
//! fake server does not play, and the OpenAPI contract) and against the fake ChartHop.

mod fake;
mod fake_faults;
mod network;
mod openapi;
mod props;
mod safety;
mod stub_behaviour;
mod support;

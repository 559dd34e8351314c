//! The sync against the fake ChartHop: what lands in the `.c1z` equals the fake's ground truth.

mod api;
mod api_get;
mod guard;
mod harness;
mod hostile;
mod memberships;
mod modes;
mod outcomes;
mod profiles;
mod validity;
mod vanished;

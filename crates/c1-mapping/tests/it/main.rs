//! Snapshot and contract tests of the ChartHop -> C1 mapping.

mod fixtures;
mod groups;
mod persons;
mod schemas;

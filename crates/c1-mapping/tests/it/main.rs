//! Snapshot and contract tests of the ChartHop -> C1 mapping.

mod fixtures;
mod groups;
mod limits;
mod persons;
mod props;
mod schemas;

//! Service mode end to end: the built `baton-charthop` binary, started as C1 would have a
//! Kubernetes pod start it, against an in-process fake C1 and fake ChartHop. Every test has its
//! own fakes, process, working directory and TMPDIR (so leftover temporary files show).

mod harness;

mod failures;
mod hello;
mod lifecycle;
mod replicas;
mod sync;
mod tasks;

//! Workspace-level end-to-end tests live in `it/` (one test binary, `e2e`): the built
//! `baton-charthop` binary against the fake ChartHop (and, for service mode, the fake C1), and
//! the deploy manifests against what the binary reads. This library is empty on purpose and
//! must never hold production code.

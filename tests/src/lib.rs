//! What the workspace-level test binaries share: the suites themselves live in `it/` (one-shot
//! mode, `e2e`) and `service/` (service mode, `service`).

#![forbid(unsafe_code)]

pub mod binary;

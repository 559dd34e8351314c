//! End-to-end tests: the real `baton-charthop` binary, run as a child process with a clean
//! environment, against fakes on 127.0.0.1. Shared machinery lives in `harness`.

mod harness;

mod config_errors;
mod deploy;
mod failures;
mod inspect;
mod oneshot;
mod schemas;

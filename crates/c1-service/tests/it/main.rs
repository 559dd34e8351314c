//! c1-service against the fake C1 (one binary; see the modules).

mod credentials;
mod fake_token;
mod lifecycle;
mod support;
mod tasks;
mod tokens;

//! Integration tests: the generator, and the server over raw HTTP on 127.0.0.1 (no client
//! crate, so the fake is checked on its own terms).

mod access;
mod faults;
mod generate;
mod hostile;
mod http;
mod openapi;
mod paging;
mod rows;

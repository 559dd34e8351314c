//! Shared machinery: find (and build) the binary, run it in a clean environment, serve a fake
//! ChartHop, and read the `.c1z` files it writes.

mod c1z_contents;
mod fake;
mod run;

pub use c1z_contents::{Contents, read_c1z};
pub use fake::{Fake, TOKEN, dangling_memberships};
pub use run::{Baton, Outcome};
pub use tests::binary::{binary, workspace_root};

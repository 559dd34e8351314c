//! `cargo xtask codegen [--check]`: regenerates `crates/c1-proto/src/gen/` from `proto/`.

use std::path::Path;

use anyhow::{Context, Result, bail};

// The generator itself lives with c1-proto so its freshness test runs the same code.
#[path = "../../crates/c1-proto/codegen/mod.rs"]
mod generator;

/// Writes the generated code, or with `check` only verifies the committed code is current.
pub fn run(workspace_root: &Path, check: bool) -> Result<()> {
    let proto_dir = generator::proto_dir(workspace_root);
    let gen_dir = generator::gen_dir(workspace_root);
    let generated = generator::generate(&proto_dir)
        .with_context(|| format!("code generation from {} failed", proto_dir.display()))?;
    if check {
        let stale = generator::stale_files(&gen_dir, &generated)
            .with_context(|| format!("could not read {}", gen_dir.display()))?;
        if !stale.is_empty() {
            bail!("{} (differs: {})", generator::STALE_HINT, stale.join(", "));
        }
        eprintln!("==> generated code is up to date ({} files)", generated.len());
    } else {
        generator::write(&gen_dir, &generated)
            .with_context(|| format!("could not write {}", gen_dir.display()))?;
        eprintln!("==> wrote {} files to {}", generated.len(), gen_dir.display());
    }
    Ok(())
}

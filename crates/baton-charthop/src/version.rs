//! The release and the git commit it was built from (`build.rs`).

/// `0.1.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The short commit, or "unknown" when the build had no git.
pub const COMMIT: &str = env!("BATON_CHARTHOP_GIT_COMMIT");

/// What `--version` prints after the name: `0.1.0 (commit 1a2b3c4)`.
pub const LONG: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("BATON_CHARTHOP_GIT_COMMIT"), ")");

/// The version C1 gets in Hello: semver with the commit as build metadata (`0.1.0+1a2b3c4`).
pub fn package_version() -> String {
    if COMMIT == "unknown" { VERSION.to_owned() } else { format!("{VERSION}+{COMMIT}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_release_with_its_commit() {
        assert_eq!(VERSION, "0.1.0");
        assert!(COMMIT == "unknown" || COMMIT.chars().all(|c| c.is_ascii_hexdigit()), "{COMMIT}");
        let printed = crate::cli::command().render_version();
        assert_eq!(printed.trim_end(), format!("baton-charthop 0.1.0 (commit {COMMIT})"));
        assert!(package_version().starts_with("0.1.0"));
        assert!(!package_version().contains(' '), "one semver token");
    }
}

//! Names and defaults of the connector's configuration fields. The binary's flags, its
//! `BATON_*` variables and `.baton.yaml` keys must use exactly these names.

pub const API_TOKEN: &str = "api-token";
pub const ORG_ID: &str = "org-id";
pub const CHARTHOP_URL: &str = "charthop-url";
pub const PAGE_SIZE: &str = "page-size";
pub const INCLUDE_DEPARTED: &str = "include-departed";
pub const INCLUDE_PERSONAL_EMAIL: &str = "include-personal-email";
pub const MEMBERSHIP_SOURCE: &str = "membership-source";
pub const LOG_LEVEL: &str = "log-level";

/// Every field name, in the order the schema lists them.
pub const ALL: [&str; 8] = [
    API_TOKEN,
    ORG_ID,
    CHARTHOP_URL,
    PAGE_SIZE,
    INCLUDE_DEPARTED,
    INCLUDE_PERSONAL_EMAIL,
    MEMBERSHIP_SOURCE,
    LOG_LEVEL,
];

pub const DEFAULT_CHARTHOP_URL: &str = "https://api.charthop.com";
pub const DEFAULT_PAGE_SIZE: i64 = 1000;
pub const DEFAULT_INCLUDE_DEPARTED: bool = true;
pub const DEFAULT_INCLUDE_PERSONAL_EMAIL: bool = false;
pub const DEFAULT_MEMBERSHIP_SOURCE: &str = "auto";
/// The accepted values of `membership-source`.
pub const MEMBERSHIP_SOURCES: [&str; 3] = ["auto", "list", "per-person"];
pub const DEFAULT_LOG_LEVEL: &str = "info";

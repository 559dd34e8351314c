use charthop_domain::NaiveDate;

/// Choices that change how persons are mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappingOptions {
    /// The date employment status is computed for (normally the sync's date, UTC).
    pub today: NaiveDate,
    /// Add the personal (home) email to the user trait. Off by default: it is PII.
    pub include_personal_email: bool,
}

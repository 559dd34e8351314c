//! Timestamps as the SDK stores them: `YYYY-MM-DD HH:MM:SS[.fraction]`, no zone, the fraction's
//! trailing zeros trimmed (Go's `2006-01-02 15:04:05.999999999`).

use chrono::{DateTime, NaiveDateTime, Utc};

/// Formats `t` (UTC) the way `discovered_at`, `started_at` and `ended_at` are stored.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    let mut text = t.format("%Y-%m-%d %H:%M:%S").to_string();
    // Microseconds, as the SDK's files show; a leap second (nanos >= 1e9) stays within 6 digits.
    let micros = (t.timestamp_subsec_nanos() / 1_000).min(999_999);
    if micros != 0 {
        let fraction = format!("{micros:06}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text
}

/// Parses a stored timestamp. Besides our own format it takes a `T` separator and a trailing
/// zone (converted to UTC), which older writers have used.
pub fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t);
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f %z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.naive_utc());
        }
    }
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64, nanos: u32) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, nanos).single().expect("valid test time")
    }

    #[test]
    fn trims_trailing_zeros_of_the_fraction() {
        // 2026-03-03 09:45:13 UTC
        let secs = 1_772_531_113;
        assert_eq!(format_timestamp(at(secs, 60_056_000)), "2026-03-03 09:45:13.060056");
        assert_eq!(format_timestamp(at(secs, 500_000_000)), "2026-03-03 09:45:13.5");
        assert_eq!(format_timestamp(at(secs, 1_000)), "2026-03-03 09:45:13.000001");
        // Below a microsecond is dropped, as in the SDK's files.
        assert_eq!(format_timestamp(at(secs, 999)), "2026-03-03 09:45:13");
        assert_eq!(format_timestamp(at(secs, 0)), "2026-03-03 09:45:13");
    }

    #[test]
    fn parses_what_it_formats_and_go_variants() {
        let t = at(1_772_531_113, 60_056_000);
        assert_eq!(parse_timestamp(&format_timestamp(t)), Some(t.naive_utc()));
        assert_eq!(parse_timestamp("2026-03-03 09:45:13"), Some(at(1_772_531_113, 0).naive_utc()));
        assert_eq!(parse_timestamp("2026-03-03T10:45:13+01:00"), Some(at(1_772_531_113, 0).naive_utc()));
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}

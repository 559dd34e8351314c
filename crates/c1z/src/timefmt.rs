//! Timestamps as the SDK stores them: `YYYY-MM-DD HH:MM:SS[.fraction]`, no zone, the fraction's
//! trailing zeros trimmed (Go's `2006-01-02 15:04:05.999999999`).

use chrono::{DateTime, NaiveDateTime, Utc};

/// Formats `t` (UTC) the way `discovered_at`, `started_at` and `ended_at` are stored.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    let mut text = whole_seconds(t);
    push_fraction(&mut text, t);
    text
}

fn whole_seconds(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn push_fraction(text: &mut String, t: DateTime<Utc>) {
    // Microseconds, as the SDK's files show; a leap second (nanos >= 1e9) stays within 6 digits.
    let micros = (t.timestamp_subsec_nanos() / 1_000).min(999_999);
    if micros != 0 {
        let fraction = format!("{micros:06}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
}

/// [`format_timestamp`] for a stream of rows: the date and time of day are formatted once per
/// second (chrono's formatting showed in profiles of large syncs), only the fraction per call.
#[derive(Default)]
pub(crate) struct TimestampFormatter {
    // (unix seconds, in a leap second, "YYYY-MM-DD HH:MM:SS")
    second: Option<(i64, bool, String)>,
}

impl TimestampFormatter {
    pub(crate) fn format(&mut self, t: DateTime<Utc>) -> String {
        let key = (t.timestamp(), t.timestamp_subsec_nanos() >= 1_000_000_000);
        let mut text = match &self.second {
            Some((secs, leap, text)) if (*secs, *leap) == key => text.clone(),
            _ => {
                let text = whole_seconds(t);
                self.second = Some((key.0, key.1, text.clone()));
                text
            }
        };
        push_fraction(&mut text, t);
        text
    }
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
    fn the_streaming_formatter_matches_format_timestamp() {
        let secs = 1_772_531_113;
        let mut formatter = TimestampFormatter::default();
        // Same second twice, the next one, 09:45:59 and its leap second, back: no stale cache.
        for (s, nanos) in [
            (secs, 60_056_000),
            (secs, 0),
            (secs + 1, 5_000),
            (secs + 46, 999_000),
            (secs + 46, 1_000_500_000),
            (secs, 999),
            (secs - 86_400, 7),
        ] {
            assert_eq!(formatter.format(at(s, nanos)), format_timestamp(at(s, nanos)), "{s}.{nanos}");
        }
        assert_eq!(formatter.format(at(secs + 1, 5_000)), "2026-03-03 09:45:14.000005");
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

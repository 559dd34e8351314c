use chrono::NaiveDate;

/// Where a person stands on a given date, derived from the dates of their most recent hire.
/// ChartHop has no status field: this is the only source of truth for account status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Employment {
    /// Started on or before the date and not ended before it.
    Active,
    /// The most recent hire ended before the date.
    Departed { end_date: NaiveDate },
    /// The most recent hire starts after the date.
    PreHire { start_date: NaiveDate },
    /// Never in a job: no hire dates at all.
    Unknown,
}

impl Employment {
    /// Employment on `date` given the start and end dates of the most recent hire.
    ///
    /// The end date is the last day worked, so a person whose end date IS `date` is still
    /// active. An end date before the start date belongs to an earlier stint (a rehire
    /// whose old end date lingers) and is ignored.
    pub fn at(start: Option<NaiveDate>, end: Option<NaiveDate>, date: NaiveDate) -> Self {
        let end = match (start, end) {
            (Some(start), Some(end)) if end < start => None,
            (_, end) => end,
        };
        match (start, end) {
            (None, None) => Employment::Unknown,
            (Some(start), _) if start > date => Employment::PreHire { start_date: start },
            (_, Some(end)) if end < date => Employment::Departed { end_date: end },
            _ => Employment::Active,
        }
    }

    /// A stable lower-case label, used in reports and profiles.
    pub fn label(&self) -> &'static str {
        match self {
            Employment::Active => "active",
            Employment::Departed { .. } => "departed",
            Employment::PreHire { .. } => "pre-hire",
            Employment::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn start_on_the_date_is_active() {
        assert_eq!(Employment::at(Some(d("2026-01-10")), None, d("2026-01-10")), Employment::Active);
    }

    #[test]
    fn start_the_day_after_is_pre_hire() {
        assert_eq!(
            Employment::at(Some(d("2026-01-11")), None, d("2026-01-10")),
            Employment::PreHire { start_date: d("2026-01-11") }
        );
    }

    #[test]
    fn end_on_the_date_is_still_active() {
        let start = Some(d("2020-01-01"));
        assert_eq!(Employment::at(start, Some(d("2026-01-10")), d("2026-01-10")), Employment::Active);
    }

    #[test]
    fn end_the_day_before_is_departed() {
        let start = Some(d("2020-01-01"));
        assert_eq!(
            Employment::at(start, Some(d("2026-01-09")), d("2026-01-10")),
            Employment::Departed { end_date: d("2026-01-09") }
        );
    }

    #[test]
    fn end_before_start_is_an_old_stint_and_ignored() {
        let rehired = Employment::at(Some(d("2025-06-01")), Some(d("2024-01-31")), d("2026-01-10"));
        assert_eq!(rehired, Employment::Active);
        let rehire_pending = Employment::at(Some(d("2026-02-01")), Some(d("2024-01-31")), d("2026-01-10"));
        assert_eq!(rehire_pending, Employment::PreHire { start_date: d("2026-02-01") });
    }

    #[test]
    fn missing_dates() {
        assert_eq!(Employment::at(None, None, d("2026-01-10")), Employment::Unknown);
        assert_eq!(
            Employment::at(None, Some(d("2025-12-31")), d("2026-01-10")),
            Employment::Departed { end_date: d("2025-12-31") }
        );
        assert_eq!(Employment::at(None, Some(d("2026-12-31")), d("2026-01-10")), Employment::Active);
    }

    #[test]
    fn labels_are_distinct() {
        let all = [
            Employment::Active,
            Employment::Departed { end_date: d("2026-01-01") },
            Employment::PreHire { start_date: d("2026-01-01") },
            Employment::Unknown,
        ];
        let labels: std::collections::BTreeSet<_> = all.iter().map(Employment::label).collect();
        assert_eq!(labels.len(), 4);
    }
}

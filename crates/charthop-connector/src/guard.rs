//! The mass-change guard: before publishing, compare with the previous sync and refuse when
//! too much would vanish or turn disabled, as directory sync tools refuse exports that delete
//! too much. An HR source that suddenly answers with fewer people is far more often a broken
//! token, filter or API than a real exodus, and C1 would revoke access on the strength of it.

use c1_mapping::ids;
use c1z::Comparison;

use crate::SyncError;

/// Below this many removals nothing is refused, whatever the ratio: small orgs change by a
/// few people at once.
pub const MIN_REMOVED: u64 = 10;

/// What a sync is compared with before it is published.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Baseline {
    /// The `.c1z` at the target, which the sync would replace (one-shot syncs).
    #[default]
    PreviousFile,
    /// The counts of the last uploaded sync (service mode keeps them between tasks).
    Counts(BaselineCounts),
    /// No comparison.
    None,
}

/// The person and grant counts of one sync: what a later sync is compared with when there is
/// no previous file. [`crate::SyncReport::baseline_counts`] gives a finished sync's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BaselineCounts {
    pub persons: u64,
    pub grants: u64,
}

impl BaselineCounts {
    /// `persons=N` and `grants=N` lines, for a small state file.
    pub fn to_text(&self) -> String {
        format!("persons={}\ngrants={}\n", self.persons, self.grants)
    }

    /// Reads [`BaselineCounts::to_text`]'s output; `None` when a count is missing or invalid.
    pub fn from_text(text: &str) -> Option<Self> {
        let mut persons = None;
        let mut grants = None;
        for line in text.lines() {
            match line.trim().split_once('=') {
                Some(("persons", n)) => persons = Some(n.trim().parse().ok()?),
                Some(("grants", n)) => grants = Some(n.trim().parse().ok()?),
                _ => {}
            }
        }
        Some(Self { persons: persons?, grants: grants? })
    }
}

/// How a sync compares with its baseline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BaselineComparison {
    pub previous_persons: u64,
    pub previous_grants: u64,
    /// Previous persons absent from this sync (with counts only: the drop in the count).
    pub persons_vanished: u64,
    /// Persons that were not disabled before and are now (unknown with counts only: 0).
    pub persons_disabled: u64,
    /// Previous grants absent from this sync (with counts only: the drop in the count).
    pub grants_vanished: u64,
}

impl BaselineComparison {
    pub(crate) fn from_file(comparison: &Comparison) -> Self {
        let person =
            |map: &std::collections::BTreeMap<String, u64>| map.get(ids::PERSON).copied().unwrap_or(0);
        Self {
            previous_persons: person(&comparison.previous.resources_by_type),
            previous_grants: comparison.previous.grants,
            persons_vanished: person(&comparison.vanished_by_type),
            persons_disabled: person(&comparison.disabled_by_type),
            grants_vanished: comparison.grants_vanished,
        }
    }

    pub(crate) fn from_counts(previous: BaselineCounts, now: BaselineCounts) -> Self {
        Self {
            previous_persons: previous.persons,
            previous_grants: previous.grants,
            persons_vanished: previous.persons.saturating_sub(now.persons),
            persons_disabled: 0,
            grants_vanished: previous.grants.saturating_sub(now.grants),
        }
    }
}

/// What the guard looks at: persons only when the sync writes persons, grants only when it
/// writes grants (a sync that leaves them out by choice removes nothing).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope {
    pub persons: bool,
    pub grants: bool,
}

/// Refuses when more than `ratio` of the previous persons (and at least [`MIN_REMOVED`]) would
/// vanish or turn disabled, when as many of its grants would vanish, or when no person is
/// left of a previous sync that had some. A ratio of 1 or more allows everything; NaN counts
/// as 0 (the strictest).
pub(crate) fn check(
    comparison: &BaselineComparison,
    persons_now: u64,
    ratio: f64,
    scope: Scope,
) -> Result<(), SyncError> {
    let ratio = if ratio.is_nan() { 0.0 } else { ratio.max(0.0) };
    if ratio >= 1.0 {
        return Ok(());
    }
    let too_many = |removed: u64, of: u64| removed >= MIN_REMOVED && removed as f64 > ratio * of as f64;
    let removed_persons = comparison.persons_vanished + comparison.persons_disabled;
    let persons = scope.persons
        && ((persons_now == 0 && comparison.previous_persons > 0)
            || too_many(removed_persons, comparison.previous_persons));
    let grants = scope.grants && too_many(comparison.grants_vanished, comparison.previous_grants);
    if persons || grants {
        return Err(SyncError::MassChange { comparison: *comparison, persons: persons_now, ratio });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Scope = Scope { persons: true, grants: true };

    fn compared(
        previous: u64,
        vanished: u64,
        disabled: u64,
        grants: u64,
        grants_vanished: u64,
    ) -> BaselineComparison {
        BaselineComparison {
            previous_persons: previous,
            previous_grants: grants,
            persons_vanished: vanished,
            persons_disabled: disabled,
            grants_vanished,
        }
    }

    #[test]
    fn refuses_above_the_ratio_and_the_minimum() {
        assert!(check(&compared(100, 10, 10, 0, 0), 90, 0.2, ALL).is_ok(), "20 of 100 is not more than 0.2");
        assert!(check(&compared(100, 11, 10, 0, 0), 89, 0.2, ALL).is_err());
        assert!(check(&compared(20, 9, 0, 0, 0), 11, 0.2, ALL).is_ok(), "fewer than 10 removed");
        assert!(check(&compared(100, 0, 0, 1000, 201), 100, 0.2, ALL).is_err(), "grants");
        assert!(
            check(&compared(100, 0, 0, 1000, 201), 100, 0.2, Scope { persons: true, grants: false }).is_ok()
        );
        assert!(check(&compared(100, 50, 0, 1000, 900), 50, 1.0, ALL).is_ok(), "a ratio of 1 allows all");
        assert!(check(&compared(100, 11, 10, 0, 0), 89, f64::NAN, ALL).is_err());
    }

    #[test]
    fn an_empty_sync_after_a_non_empty_one_is_always_refused() {
        assert!(check(&compared(3, 3, 0, 0, 0), 0, 0.99, ALL).is_err());
        assert!(check(&compared(3, 3, 0, 0, 0), 0, 1.0, ALL).is_ok());
        assert!(check(&compared(0, 0, 0, 0, 0), 0, 0.2, ALL).is_ok());
        assert!(check(&compared(3, 3, 0, 0, 0), 0, 0.2, Scope { persons: false, grants: true }).is_ok());
    }

    #[test]
    fn counts_only_compare_by_the_drop() {
        let previous = BaselineCounts { persons: 100, grants: 500 };
        let c = BaselineComparison::from_counts(previous, BaselineCounts { persons: 120, grants: 300 });
        assert_eq!((c.persons_vanished, c.grants_vanished, c.persons_disabled), (0, 200, 0));
    }

    #[test]
    fn counts_round_trip_as_text() {
        let counts = BaselineCounts { persons: 5000, grants: 12345 };
        assert_eq!(BaselineCounts::from_text(&counts.to_text()), Some(counts));
        assert_eq!(BaselineCounts::from_text("persons=1\n"), None);
        assert_eq!(BaselineCounts::from_text("persons=x\ngrants=2"), None);
    }

    #[test]
    fn the_message_gives_the_numbers_and_how_to_allow_it() {
        let error = check(&compared(200, 150, 5, 900, 800), 50, 0.2, ALL).unwrap_err();
        let message = error.to_string();
        for number in ["200", "150", "5", "900", "800", "0.2"] {
            assert!(message.contains(number), "{number} in {message}");
        }
        assert!(message.contains("to 1"), "{message}");
        assert!(!message.contains("--") && !message.contains("BATON_"), "{message}");
        assert!(error.is_permanent());
    }
}

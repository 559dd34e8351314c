//! Coverage of the person data: what C1 will lack, and which fields no row carried at all.
//! ChartHop leaves out the fields a token may not read instead of refusing, so a field that
//! is missing on every row most likely means missing access, not missing data.

use c1_mapping::MappingNotes;
use charthop_domain::Person;

use crate::report::{Coverage, UnreadableField};

/// A watched field: how ChartHop names it, the access it needs, and whether a row has it.
type Watched = (UnreadableField, fn(&Person) -> bool);

const WORK_EMAIL: Watched =
    (UnreadableField { field: "contact.workEmail", access: "contact fields (work email)" }, |p| {
        present(p.work_email.as_deref())
    });
const HOME_EMAIL: Watched =
    (UnreadableField { field: "contact.homeEmail", access: "personal contact fields (home email)" }, |p| {
        present(p.personal_email.as_deref())
    });
const EMPLOYEE_ID: Watched =
    (UnreadableField { field: "contact.employee", access: "contact fields (employee id)" }, |p| {
        present(p.employee_id.as_deref())
    });
const NAME: Watched = (UnreadableField { field: "name", access: "name fields" }, |p| {
    [&p.name.first, &p.name.last, &p.name.preferred_first].iter().any(|part| present(part.as_deref()))
});
const TITLE: Watched =
    (UnreadableField { field: "title", access: "job fields (title)" }, |p| present(p.title.as_deref()));
const DATES: Watched = (
    UnreadableField {
        field: "startDate",
        access: "job and employment fields (start and end dates, which decide account status)",
    },
    |p| p.start_date.is_some() || p.end_date.is_some(),
);

/// Counts the rows listed, then tells which fields no row had.
#[derive(Debug, Default)]
pub(crate) struct CoverageTracker {
    rows: u64,
    coverage: Coverage,
    /// Home emails are emitted (and so count as an email).
    with_home_email: bool,
    /// Each watched field and the rows that carried it.
    watched: Vec<(Watched, u64)>,
}

impl CoverageTracker {
    /// `with_home_email`: the sync asks for home emails. (A list without `groupIds` is not
    /// watched here: per-person requests fill it in, and fail the sync when they cannot.)
    pub fn new(with_home_email: bool) -> Self {
        let mut watched = vec![WORK_EMAIL, EMPLOYEE_ID, NAME, TITLE, DATES];
        if with_home_email {
            watched.push(HOME_EMAIL);
        }
        let watched = watched.into_iter().map(|w| (w, 0)).collect();
        Self { with_home_email, watched, ..Self::default() }
    }

    /// One person row as the person list returned it (before memberships were filled in).
    pub fn observe_row(&mut self, person: &Person) {
        self.rows += 1;
        for ((_, carries), count) in &mut self.watched {
            *count += u64::from(carries(person));
        }
    }

    /// What one written person lacks, given what the mapping left out of it; counted with
    /// [`Lacks::count_into`] once the writer has kept the row.
    pub fn lacks(&self, person: &Person, notes: &MappingNotes) -> Lacks {
        let work = present(person.work_email.as_deref()) && !notes.dropped.contains(&"work_email");
        let personal =
            present(person.personal_email.as_deref()) && !notes.dropped.contains(&"personal_email");
        Lacks {
            work_email: !work,
            // Home emails count only when the sync emits them.
            any_email: !(work || (personal && self.with_home_email)),
            employee_id: !present(person.employee_id.as_deref()),
        }
    }

    /// The coverage: `written` holds the counts of the persons kept ([`Lacks::count_into`]).
    pub fn finish(mut self, written: &Coverage) -> Coverage {
        self.coverage.without_any_email = written.without_any_email;
        self.coverage.without_work_email = written.without_work_email;
        self.coverage.without_employee_id = written.without_employee_id;
        if self.rows > 0 {
            self.coverage.unreadable_fields =
                self.watched.iter().filter(|(_, count)| *count == 0).map(|((field, _), _)| *field).collect();
        }
        self.coverage
    }
}

/// What a written person lacks that C1 uses to match accounts.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lacks {
    any_email: bool,
    work_email: bool,
    employee_id: bool,
}

impl Lacks {
    pub fn count_into(self, coverage: &mut Coverage) {
        coverage.without_any_email += u64::from(self.any_email);
        coverage.without_work_email += u64::from(self.work_email);
        coverage.without_employee_id += u64::from(self.employee_id);
    }
}

fn present(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.trim().is_empty())
}

/// Logs the coverage of a finished person listing.
pub(crate) fn log(coverage: &Coverage, persons: u64) {
    for field in &coverage.unreadable_fields {
        tracing::warn!(
            field = field.field,
            persons,
            "no person row carried {}: the API token most likely cannot read {}; give it read access \
             to {} in ChartHop",
            field.field,
            field.access,
            field.access
        );
    }
    if persons > 0 && (coverage.without_any_email > 0 || coverage.without_employee_id > 0) {
        tracing::info!(
            persons,
            without_any_email = coverage.without_any_email,
            without_work_email = coverage.without_work_email,
            without_employee_id = coverage.without_employee_id,
            "persons lacking data C1 uses to match accounts"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(work_email: Option<&str>, employee_id: Option<&str>) -> Person {
        Person {
            id: "p".into(),
            work_email: work_email.map(Into::into),
            employee_id: employee_id.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn counts_missing_and_dropped_emails() {
        let mut tracker = CoverageTracker::new(false);
        let rows = [person(Some("a@x.io"), Some("E1")), person(None, None), person(Some("bad"), None)];
        for row in &rows {
            tracker.observe_row(row);
        }
        let dropped = MappingNotes { dropped: vec!["work_email"], cut: vec![] };
        let mut written = Coverage::default();
        tracker.lacks(&rows[0], &MappingNotes::default()).count_into(&mut written);
        tracker.lacks(&rows[1], &MappingNotes::default()).count_into(&mut written);
        tracker.lacks(&rows[2], &dropped).count_into(&mut written);
        let coverage = tracker.finish(&written);
        assert_eq!(coverage.without_work_email, 2);
        assert_eq!(coverage.without_any_email, 2);
        assert_eq!(coverage.without_employee_id, 2);
        let unreadable: Vec<_> = coverage.unreadable_fields.iter().map(|f| f.field).collect();
        assert_eq!(unreadable, ["name", "title", "startDate"]);
    }

    #[test]
    fn no_rows_means_no_unreadable_field() {
        assert!(CoverageTracker::new(true).finish(&Coverage::default()).unreadable_fields.is_empty());
    }
}

use chrono::{DateTime, NaiveDate, Utc};

use crate::Employment;

/// A person's names as ChartHop keeps them (`name.first`, `name.middle`, `name.last`,
/// `name.pref`, `name.prefLast`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonName {
    pub first: Option<String>,
    pub middle: Option<String>,
    pub last: Option<String>,
    /// Preferred first name.
    pub preferred_first: Option<String>,
    /// Preferred last name.
    pub preferred_last: Option<String>,
}

/// A ChartHop person. Every field but `id` may be missing: the token's access level
/// silently hides fields, and persons never in a job have no dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: PersonName,
    pub work_email: Option<String>,
    pub personal_email: Option<String>,
    pub employee_id: Option<String>,
    pub title: Option<String>,
    pub job_id: Option<String>,
    /// The manager's person id, when known.
    pub manager_id: Option<String>,
    /// Start date of the most recent hire.
    pub start_date: Option<NaiveDate>,
    /// End date of the most recent hire (empty while employed).
    pub end_date: Option<NaiveDate>,
    pub created_at: Option<DateTime<Utc>>,
    /// Ids of the groups ChartHop calculates for the person. `None` means the answer did
    /// not carry the key at all (so memberships must be fetched another way); `Some(vec![])`
    /// means the person is in no group.
    pub group_ids: Option<Vec<String>>,
}

impl Person {
    /// Employment state on `date`.
    pub fn employment_at(&self, date: NaiveDate) -> Employment {
        Employment::at(self.start_date, self.end_date, date)
    }
}

use chrono::{NaiveDate, Utc};

/// The shape of a generated org. Everything is derived from `seed` and `today`, so the same
/// spec always gives the same org.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgSpec {
    pub persons: usize,
    pub seed: u64,
    /// The date employment states are computed for (the fake's "now").
    pub today: NaiveDate,
    pub departments: usize,
    pub teams: usize,
    pub locations: usize,
    /// Groups of the custom type `COST_CENTER`.
    pub custom_groups: usize,
    /// Deleted groups, shown only with `timeFilter=ARCHIVED` or `ALL`.
    pub archived_groups: usize,
    /// Future-dated groups, shown only with `timeFilter=FUTURE` or `ALL`.
    pub future_groups: usize,
    /// Percent of persons whose most recent hire ended before `today`.
    pub departed_pct: f64,
    /// Percent of persons whose start date is after `today`.
    pub pre_hire_pct: f64,
    /// Percent of persons never in a job: no dates, no job, no groups.
    pub never_in_job_pct: f64,
    /// Percent of persons without a work email.
    pub no_email_pct: f64,
    /// Percent of persons rehired: active, with an old end date before their start date.
    pub rehired_pct: f64,
    /// Draw some names from a list with non-ASCII names ("Zoë", "Łukasz", "山田").
    pub unicode_names: bool,
    /// How many person rows name a group that does not exist in `groupIds`.
    pub dangling_group_ids: usize,
}

impl OrgSpec {
    /// A spec with proportions like a real company of `persons` people, dated today (UTC).
    pub fn new(persons: usize, seed: u64) -> Self {
        OrgSpec {
            persons,
            seed,
            today: Utc::now().date_naive(),
            departments: (persons / 100).clamp(3, 300),
            teams: (persons / 40).clamp(2, 500),
            locations: (persons / 500).clamp(2, 40),
            custom_groups: (persons / 250).clamp(1, 60),
            archived_groups: 3,
            future_groups: 1,
            departed_pct: 5.0,
            pre_hire_pct: 2.0,
            never_in_job_pct: 1.0,
            no_email_pct: 2.0,
            rehired_pct: 1.0,
            unicode_names: true,
            dangling_group_ids: 0,
        }
    }

    /// The same spec dated `today` (tests pin the date so results never drift).
    pub fn with_today(mut self, today: NaiveDate) -> Self {
        self.today = today;
        self
    }
}

use charthop_domain::{Employment, Group, GroupType, Membership, NaiveDate, Person};

/// A generated org: the ground truth the fake serves and tests assert against.
#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    /// 24 hex characters.
    pub org_id: String,
    pub slug: String,
    pub name: String,
    /// The date the org was generated for (employment states are relative to it).
    pub today: NaiveDate,
    pub group_types: Vec<GroupType>,
    /// Current groups (what `timeFilter=CURRENT`, the default, lists), sorted by id.
    pub groups: Vec<Group>,
    /// Deleted groups: no members; listed only with `timeFilter=ARCHIVED`/`ALL`.
    pub archived_groups: Vec<Group>,
    /// Future-dated groups: no members; listed only with `timeFilter=FUTURE`/`ALL`.
    pub future_groups: Vec<Group>,
    /// Every person (current, departed, pre-hire, never in a job), sorted by id: the order the
    /// person list answers in. `group_ids` is exactly what rows carry, dangling ids included.
    pub persons: Vec<Person>,
    /// Every (group, person) pair for groups that exist; dangling ids are not here. Sorted.
    pub memberships: Vec<Membership>,
}

impl Org {
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.persons.binary_search_by(|p| p.id.as_str().cmp(id)).ok().map(|i| &self.persons[i])
    }

    /// A group of any time filter, by id or slug.
    pub fn group(&self, id_or_slug: &str) -> Option<&Group> {
        self.all_groups().find(|g| g.id == id_or_slug || g.slug.as_deref() == Some(id_or_slug))
    }

    /// Current, archived and future groups.
    pub fn all_groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.iter().chain(&self.archived_groups).chain(&self.future_groups)
    }

    pub fn group_type_named(&self, name: &str) -> Option<&GroupType> {
        self.group_types.iter().find(|t| t.name == name)
    }

    /// Persons in the given employment state on `self.today` (compared by label).
    pub fn persons_in_state(&self, label: &str) -> impl Iterator<Item = &Person> {
        self.persons.iter().filter(move |p| p.employment_at(self.today).label() == label)
    }

    /// Persons a list without `includeAll` returns on `date`: those active then.
    pub fn is_current(person: &Person, date: NaiveDate) -> bool {
        person.employment_at(date) == Employment::Active
    }
}

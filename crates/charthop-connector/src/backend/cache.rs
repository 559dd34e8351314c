//! What the backend keeps between calls, each part bounded.

use std::collections::{HashMap, VecDeque};

use c1_connector_server::Page;
use c1_proto::connector::v2::Resource;

/// At most `capacity` entries by person id, the oldest going first when full: what the
/// backend remembers of the most recently listed persons.
#[derive(Debug)]
pub(crate) struct RecentPersons<V> {
    capacity: usize,
    by_person: HashMap<String, V>,
    order: VecDeque<String>,
}

impl<V> RecentPersons<V> {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, by_person: HashMap::new(), order: VecDeque::new() }
    }

    /// Sets `person_id`'s entry (a known one keeps its place); `false` when it was known.
    pub fn insert(&mut self, person_id: &str, value: V) -> bool {
        if let Some(known) = self.by_person.get_mut(person_id) {
            *known = value;
            return false;
        }
        if self.capacity == 0 {
            return true;
        }
        self.order.push_back(person_id.to_owned());
        self.by_person.insert(person_id.to_owned(), value);
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.by_person.remove(&oldest);
            }
        }
        true
    }

    pub fn get(&self, person_id: &str) -> Option<&V> {
        self.by_person.get(person_id)
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn clear(&mut self) {
        self.by_person.clear();
        self.order.clear();
    }
}

/// The granted group ids of the most recently listed persons (ids, not grants: a grant is
/// rebuilt from the two ids, so an entry costs a few hundred bytes). A person without groups
/// is kept too (an empty list), so that asking for its grants costs no request either.
pub(crate) type MembershipCache = RecentPersons<Vec<String>>;

/// The ids of the most recently listed persons. A listing in progress leaves out a person
/// listed again within them, as the one-shot sync leaves out every repeat; a repeat farther
/// apart (a large org changing while it is listed) passes. Holding every id would grow with
/// the org.
pub(crate) type RecentIds = RecentPersons<()>;

/// The person pages answered last, by the token they answered: the server asks for a page
/// again to resume inside one it had to split.
#[derive(Debug, Default)]
pub(crate) struct RecentPages {
    pages: VecDeque<(Option<String>, Page<Resource>)>,
}

/// Pages kept for answering a token again.
const RECENT_PAGES: usize = 2;

impl RecentPages {
    pub fn get(&self, token: Option<&str>) -> Option<Page<Resource>> {
        self.pages.iter().find(|(t, _)| t.as_deref() == token).map(|(_, page)| page.clone())
    }

    pub fn insert(&mut self, token: Option<String>, page: Page<Resource>) {
        self.pages.retain(|(t, _)| *t != token);
        self.pages.push_back((token, page));
        while self.pages.len() > RECENT_PAGES {
            self.pages.pop_front();
        }
    }

    pub fn clear(&mut self) {
        self.pages.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(id: &str) -> String {
        id.to_owned()
    }

    #[test]
    fn recent_ids_find_a_repeat_within_the_window_and_forget_the_oldest() {
        let mut recent: RecentIds = RecentPersons::new(2);
        assert!(recent.insert("a", ()) && recent.insert("b", ()));
        assert!(!recent.insert("a", ()), "a repeat within the window");
        assert!(recent.insert("c", ()), "a third id pushes out the oldest");
        assert!(recent.insert("a", ()), "a repeat farther apart passes");
        assert!(!recent.insert("c", ()));
        assert_eq!(recent.order.len(), 2);
        let mut none: RecentIds = RecentPersons::new(0);
        assert!(none.insert("a", ()) && none.insert("a", ()), "no window, no repeat found");
    }

    #[test]
    fn the_oldest_person_goes_first_and_a_repeat_does_not_grow_the_cache() {
        let mut cache = MembershipCache::new(2);
        cache.insert("a", vec![grant("ga")]);
        cache.insert("b", Vec::new());
        cache.insert("a", vec![grant("ga2")]);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get("a"), Some(&vec![grant("ga2")]));
        cache.insert("c", vec![grant("gc")]);
        assert_eq!(cache.get("a"), None, "the first inserted went first");
        assert_eq!(cache.get("b"), Some(&Vec::new()));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn recent_pages_keep_the_last_two_tokens() {
        let mut pages = RecentPages::default();
        for token in [None, Some("1".to_owned()), Some("2".to_owned())] {
            let next = token.clone();
            pages.insert(token, Page { items: Vec::new(), next });
        }
        assert!(pages.get(None).is_none());
        assert_eq!(pages.get(Some("2")).map(|p| p.next), Some(Some("2".into())));
        assert!(pages.get(Some("1")).is_some());
    }
}

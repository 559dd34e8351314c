//! What the backend keeps between calls, each part bounded.

use std::collections::{HashMap, HashSet, VecDeque};

use c1_connector_server::Page;
use c1_proto::connector::v2::Resource;

/// The granted group ids of the most recently listed persons, by person id (ids, not grants:
/// a grant is rebuilt from the two ids, so an entry costs a few hundred bytes); the oldest
/// person goes first when full. A person without groups is kept too (an empty list), so
/// that asking for its grants costs no request either.
#[derive(Debug)]
pub(crate) struct MembershipCache {
    capacity: usize,
    by_person: HashMap<String, Vec<String>>,
    order: VecDeque<String>,
}

impl MembershipCache {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, by_person: HashMap::new(), order: VecDeque::new() }
    }

    pub fn insert(&mut self, person_id: String, group_ids: Vec<String>) {
        if self.capacity == 0 {
            return;
        }
        if let Some(known) = self.by_person.get_mut(&person_id) {
            *known = group_ids;
            return;
        }
        self.order.push_back(person_id.clone());
        self.by_person.insert(person_id, group_ids);
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.by_person.remove(&oldest);
            }
        }
    }

    pub fn get(&self, person_id: &str) -> Option<Vec<String>> {
        self.by_person.get(person_id).cloned()
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

/// The ids of the most recently listed persons, at most `capacity`, the oldest going first.
/// A listing in progress leaves out a person listed again within them, as the one-shot sync
/// leaves out every repeat; a repeat farther apart (a large org changing while it is listed)
/// passes. Holding every id would grow with the org.
#[derive(Debug)]
pub(crate) struct RecentIds {
    capacity: usize,
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl RecentIds {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, ids: HashSet::new(), order: VecDeque::new() }
    }

    /// Whether `id` is not among the recent ones; it is then one of them.
    pub fn insert(&mut self, id: &str) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        if self.capacity == 0 {
            return true;
        }
        self.ids.insert(id.to_owned());
        self.order.push_back(id.to_owned());
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.ids.remove(&oldest);
            }
        }
        true
    }
}

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
        let mut recent = RecentIds::new(2);
        assert!(recent.insert("a") && recent.insert("b"));
        assert!(!recent.insert("a"), "a repeat within the window");
        assert!(recent.insert("c"), "a third id pushes out the oldest");
        assert!(recent.insert("a"), "a repeat farther apart passes");
        assert!(!recent.insert("c"));
        assert_eq!(recent.order.len(), 2);
        let mut none = RecentIds::new(0);
        assert!(none.insert("a") && none.insert("a"), "no window, no repeat found");
    }

    #[test]
    fn the_oldest_person_goes_first_and_a_repeat_does_not_grow_the_cache() {
        let mut cache = MembershipCache::new(2);
        cache.insert("a".into(), vec![grant("ga")]);
        cache.insert("b".into(), Vec::new());
        cache.insert("a".into(), vec![grant("ga2")]);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get("a"), Some(vec![grant("ga2")]));
        cache.insert("c".into(), vec![grant("gc")]);
        assert_eq!(cache.get("a"), None, "the first inserted went first");
        assert_eq!(cache.get("b"), Some(Vec::new()));
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

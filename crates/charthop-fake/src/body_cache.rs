//! Rendered answers kept by request, when the `cache_bodies` knob is on.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use axum::body::Bytes;

use crate::endpoint::Endpoint;

/// The most the cache holds, in body bytes: past it, answers are rendered each time.
const BODY_CACHE_BYTES: usize = 1 << 30;

/// What identifies an answer: the route, its item (a person id) and every query parameter as
/// decoded, sorted.
pub(crate) type Request = (Endpoint, Option<String>, Vec<(String, String)>);

pub(crate) struct BodyCache {
    bodies: HashMap<Request, Bytes>,
    bytes: usize,
    bound: usize,
}

impl Default for BodyCache {
    fn default() -> Self {
        BodyCache::bounded(BODY_CACHE_BYTES)
    }
}

impl BodyCache {
    fn bounded(bound: usize) -> Self {
        BodyCache { bodies: HashMap::new(), bytes: 0, bound }
    }

    pub fn get(&self, request: &Request) -> Option<Bytes> {
        self.bodies.get(request).cloned()
    }

    /// Keeps `body` for `request` unless that would outgrow the bound.
    pub fn keep(&mut self, request: Request, body: &Bytes) {
        if self.bytes + body.len() > self.bound {
            return;
        }
        if let Entry::Vacant(slot) = self.bodies.entry(request) {
            self.bytes += body.len();
            slot.insert(body.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &[(&str, &str)]) -> Request {
        let query = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        (Endpoint::PersonList, None, query)
    }

    #[test]
    fn a_body_is_kept_once_and_the_bound_holds() {
        let mut cache = BodyCache::bounded(8);
        cache.keep(request(&[("limit", "5")]), &Bytes::from_static(b"first"));
        cache.keep(request(&[("limit", "5")]), &Bytes::from_static(b"second"));
        assert_eq!(cache.get(&request(&[("limit", "5")])).as_deref(), Some(&b"first"[..]));
        assert_eq!(cache.bytes, 5);
        cache.keep(request(&[("limit", "6")]), &Bytes::from_static(b"four"));
        assert_eq!(cache.get(&request(&[("limit", "6")])), None, "past the bound, nothing is kept");
        assert_eq!(cache.bytes, 5);
    }

    #[test]
    fn a_value_holding_separators_is_not_another_query() {
        let mut cache = BodyCache::default();
        cache.keep(request(&[("ids", "a&limit=5")]), &Bytes::from_static(b"empty page"));
        assert_eq!(cache.get(&request(&[("ids", "a"), ("limit", "5")])), None);
    }
}

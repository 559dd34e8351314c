//! Rendered answers kept by request, when the `cache_bodies` knob is on.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use axum::body::Bytes;

/// The most the cache holds, in body bytes: past it, answers are rendered each time.
pub const BODY_CACHE_BYTES: usize = 1 << 30;

pub(crate) struct BodyCache {
    bodies: HashMap<String, Bytes>,
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

    pub fn get(&self, request: &str) -> Option<Bytes> {
        self.bodies.get(request).cloned()
    }

    /// Keeps `body` for `request` unless that would outgrow the bound.
    pub fn keep(&mut self, request: String, body: &Bytes) {
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

    #[test]
    fn a_body_is_kept_once_and_the_bound_holds() {
        let mut cache = BodyCache::bounded(8);
        cache.keep("a".into(), &Bytes::from_static(b"first"));
        cache.keep("a".into(), &Bytes::from_static(b"second"));
        assert_eq!(cache.get("a").as_deref(), Some(&b"first"[..]));
        assert_eq!(cache.bytes, 5);
        cache.keep("past".into(), &Bytes::from_static(b"four"));
        assert_eq!(cache.get("huge"), None, "past the bound, nothing is kept");
        assert_eq!(cache.bytes, 5);
    }
}

//! Person pages: one ChartHop listing followed page by page across calls, the ChartHop
//! cursor as the page token. A token that is not the one the listing expects next (a
//! resumed sync, another process) restarts the listing and walks it up to that cursor.

use std::collections::HashMap;

use c1_connector_server::{BackendError, Page};
use c1_proto::connector::v2::{Grant, Resource};
use charthop_client::PersonRecord;
use futures::StreamExt;
use futures::stream::BoxStream;

use super::cache::RecentIds;
use super::{ChartHopBackend, backend_error};
use crate::memberships::complete_page;
use crate::sync::{Counters, keep_new_persons, map_person_page};

type RecordPages = BoxStream<'static, Result<charthop_client::Page<PersonRecord>, charthop_client::Error>>;

/// A person listing in progress.
pub(crate) struct PersonWalk {
    pages: RecordPages,
    /// The token whose page `pages` yields next (`None`: the first page).
    expects: Option<String>,
    /// Ids of the persons listed last: a row repeating one is left out, as the one-shot sync
    /// leaves out repeats.
    seen: RecentIds,
    pages_read: usize,
}

impl ChartHopBackend {
    pub(super) async fn person_page(&self, token: Option<&str>) -> Result<Page<Resource>, BackendError> {
        if let Some(page) = self.recent_pages().get(token) {
            return Ok(page);
        }
        let groups = self.groups().await?;
        let options = self.walk_options();
        let mut held = self.walk.lock().await;
        let continues = held.as_ref().is_some_and(|walk| walk.expects.as_deref() == token);
        if !continues {
            *held = None;
        }
        let remembered = self.memberships().capacity();
        let walk = held.get_or_insert_with(|| PersonWalk {
            pages: self.client.person_record_pages(&options.person_query()),
            expects: None,
            seen: RecentIds::new(remembered),
            pages_read: 0,
        });
        loop {
            let answers = walk.expects.clone();
            let Some(page) = walk.pages.next().await else {
                *held = None;
                return Err(BackendError::InvalidPageToken(
                    "the person listing ended before this page".into(),
                ));
            };
            // A failed page ends the listing: a retry of the same token starts it again.
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    *held = None;
                    return Err(backend_error(error.into()));
                }
            };
            walk.pages_read += 1;
            walk.expects = page.next.clone().filter(|next| !next.is_empty());
            let mut persons = page.items;
            keep_new_persons(&mut persons, |id| walk.seen.insert(id, ()), &options, &mut Counters::default());
            if options.writes_grants() {
                let source = options.membership_source;
                let concurrency = options.membership_concurrency;
                let completed =
                    complete_page(&self.client, &mut persons, source, concurrency, walk.pages_read).await;
                if let Err(error) = completed {
                    *held = None;
                    return Err(backend_error(error));
                }
            }
            let batch = map_person_page(&persons, &groups.profiles, &groups.grants, &options);
            self.remember_grants(&batch.resources, batch.grants);
            let answer = Page { items: batch.resources, next: walk.expects.clone() };
            if answers.as_deref() == token {
                if answer.next.is_none() {
                    *held = None;
                }
                self.recent_pages().insert(token.map(str::to_owned), answer.clone());
                return Ok(answer);
            }
            if walk.expects.is_none() {
                *held = None;
                return Err(BackendError::InvalidPageToken(
                    "no person page continues from this token".into(),
                ));
            }
        }
    }

    /// Keeps the granted group ids of each listed person (none is an empty list) for
    /// ListGrants, in page order.
    fn remember_grants(&self, persons: &[Resource], grants: Vec<Grant>) {
        let mut by_person: HashMap<String, Vec<String>> = HashMap::new();
        for grant in grants {
            let group = grant.entitlement.and_then(|e| e.resource).and_then(|r| r.id).map(|id| id.resource);
            let person = grant.principal.and_then(|p| p.id).map(|id| id.resource);
            if let (Some(group), Some(person)) = (group, person) {
                by_person.entry(person).or_default().push(group);
            }
        }
        let mut cache = self.memberships();
        for id in persons.iter().filter_map(|p| p.id.as_ref()) {
            let groups = by_person.remove(&id.resource).unwrap_or_default();
            cache.insert(&id.resource, groups);
        }
    }
}

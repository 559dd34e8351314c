use std::sync::Arc;

use charthop_domain::{Group, GroupType, GroupTypeIndex, Person};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::decode::{EnvelopeFault, Listed, PersonRecord, RawPage, Row, envelope};
use crate::error::PageLabel;
use crate::paging::{decode_rows, listing, row_error, rows};
use crate::request::{ApiRequest, GroupQuery, PersonQuery};
use crate::transport::Transport;
use crate::{ClientConfig, ClientStats, Error, Page};

/// A ChartHop API client for one org. Cheap to clone (shared inside); `Send + Sync`.
#[derive(Clone)]
pub struct ChartHopClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    transport: Transport,
}

impl std::fmt::Debug for ChartHopClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChartHopClient").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl ChartHopClient {
    /// Checks the configuration (no request is sent) and builds the HTTP client.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        config.validate()?;
        let transport = Transport::new(&config)?;
        Ok(Self { inner: Arc::new(Inner { config, transport }) })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Counters since the client was built.
    pub fn stats(&self) -> ClientStats {
        self.inner.transport.stats.snapshot()
    }

    /// One cheap request (one person id) proving that the token is accepted, the org exists and
    /// persons are readable. 401, 403 and 404 come back as their typed errors, never retried.
    pub async fn validate_access(&self) -> Result<(), Error> {
        let request = ApiRequest::access_probe(self.org());
        self.list_page::<Person>(request, PageLabel { number: Some(1), from: None }).await.map(drop)
    }

    pub async fn group_types_page(&self, cursor: Option<&str>) -> Result<Page<GroupType>, Error> {
        let request = ApiRequest::group_type_list(self.org(), self.page_size(), cursor);
        self.list_page(request, cursor_label(cursor)).await
    }

    pub fn group_type_pages(&self) -> BoxStream<'static, Result<Page<GroupType>, Error>> {
        let client = self.clone();
        let endpoint = self.endpoint(&ApiRequest::group_type_list(self.org(), 1, None));
        let fetch = move |cursor: Option<String>, label| {
            let client = client.clone();
            async move {
                let request =
                    ApiRequest::group_type_list(client.org(), client.page_size(), cursor.as_deref());
                client.raw_page(&request, &label).await
            }
        };
        listing(endpoint, fetch, GroupType::decode)
    }

    pub fn group_types(&self) -> BoxStream<'static, Result<GroupType, Error>> {
        rows(self.group_type_pages())
    }

    /// Every group type, as the index that resolves a group's `type` to a name.
    pub async fn group_type_index(&self) -> Result<GroupTypeIndex, Error> {
        let types: Vec<GroupType> = self.group_types().try_collect().await?;
        Ok(GroupTypeIndex::new(&types))
    }

    /// One page of groups. `type_name` is left empty: resolve it with a [`GroupTypeIndex`].
    pub async fn groups_page(&self, query: &GroupQuery, cursor: Option<&str>) -> Result<Page<Group>, Error> {
        let request = ApiRequest::group_list(self.org(), query, self.page_size(), cursor);
        self.list_page(request, cursor_label(cursor)).await
    }

    pub fn group_pages(&self, query: &GroupQuery) -> BoxStream<'static, Result<Page<Group>, Error>> {
        let client = self.clone();
        let query = query.clone();
        let endpoint = self.endpoint(&ApiRequest::group_list(self.org(), &query, 1, None));
        let fetch = move |cursor: Option<String>, label| {
            let client = client.clone();
            let query = query.clone();
            async move {
                let request =
                    ApiRequest::group_list(client.org(), &query, client.page_size(), cursor.as_deref());
                client.raw_page(&request, &label).await
            }
        };
        listing(endpoint, fetch, Group::decode)
    }

    pub fn groups(&self, query: &GroupQuery) -> BoxStream<'static, Result<Group, Error>> {
        rows(self.group_pages(query))
    }

    /// One page of persons, with `groupIds` on each row when the query asks for it and the
    /// API honours it (see [`Page::persons_without_group_ids`]).
    pub async fn persons_page(
        &self,
        query: &PersonQuery,
        cursor: Option<&str>,
    ) -> Result<Page<Person>, Error> {
        let request = ApiRequest::person_list(self.org(), query, self.page_size(), cursor)?;
        self.list_page(request, cursor_label(cursor)).await
    }

    /// Every person, page by page; a row repeated from the previous page is dropped. The
    /// persons of [`ChartHopClient::person_record_pages`], without what rows carry beside them.
    pub fn person_pages(&self, query: &PersonQuery) -> BoxStream<'static, Result<Page<Person>, Error>> {
        self.person_record_pages(query)
            .map_ok(|page| Page {
                items: page.items.into_iter().map(|record| record.person).collect(),
                next: page.next,
                duplicates_dropped: page.duplicates_dropped,
            })
            .boxed()
    }

    /// [`ChartHopClient::person_pages`] with what each row carries beyond the person: the
    /// manager's email and name and the query's extra field codes. A code that is not a
    /// plain field code fails the first page ([`Error::InvalidFieldCode`]) before any request.
    pub fn person_record_pages(
        &self,
        query: &PersonQuery,
    ) -> BoxStream<'static, Result<Page<PersonRecord>, Error>> {
        let client = self.clone();
        let query = query.clone();
        let endpoint = self.endpoint(&ApiRequest::access_probe(self.org()));
        let codes = query.extra_fields.clone();
        let fetch = move |cursor: Option<String>, label| {
            let client = client.clone();
            let query = query.clone();
            async move {
                let request =
                    ApiRequest::person_list(client.org(), &query, client.page_size(), cursor.as_deref())?;
                client.raw_page(&request, &label).await
            }
        };
        listing(endpoint, fetch, move |row| PersonRecord::decode_with(row, &codes))
    }

    pub fn persons(&self, query: &PersonQuery) -> BoxStream<'static, Result<Person, Error>> {
        rows(self.person_pages(query))
    }

    /// The documented way to read one person's memberships: `GET person/{id}?fields=groupIds`.
    /// ChartHop leaves out the fields a token may not read, so an answer without `groupIds`
    /// (or with another shape than an array of strings) is [`Error::MembershipUnreadable`],
    /// never "no group"; a person without groups answers `[]`.
    pub async fn person_group_ids(&self, person_id: &str) -> Result<Vec<String>, Error> {
        let request = ApiRequest::person_get(self.org(), person_id, &["groupIds"], None);
        let body = self.inner.transport.get_json(&request, &PageLabel::default()).await?;
        let Some(map) = single_object(&body) else { return Err(self.not_an_object(&request)) };
        let unreadable = |found| Error::MembershipUnreadable {
            endpoint: self.endpoint(&request),
            person_id: person_id.to_owned(),
            found,
        };
        match Row(map).group_ids() {
            Ok(Some(ids)) => Ok(ids),
            Ok(None) => Err(unreadable("no value")),
            Err(found) => Err(unreadable(found)),
        }
    }

    /// One person with the fields `query` asks for (`include_all` does not apply).
    pub async fn person(&self, person_id: &str, query: &PersonQuery) -> Result<Person, Error> {
        self.person_record(person_id, query).await.map(|record| record.person)
    }

    /// [`ChartHopClient::person`] with what the row carries beside the person, decoded as
    /// [`ChartHopClient::person_record_pages`] decodes a listed row: one request.
    pub async fn person_record(&self, person_id: &str, query: &PersonQuery) -> Result<PersonRecord, Error> {
        let request = ApiRequest::person_get_fields(self.org(), person_id, query.fields_param()?, query.date);
        let body = self.inner.transport.get_json(&request, &PageLabel::default()).await?;
        let Some(map) = single_object(&body) else { return Err(self.not_an_object(&request)) };
        let mut map = map.clone();
        // The path names the person; an answer that omits its id is still that person.
        if Row(&map).id().is_none() {
            map.insert("id".into(), Value::String(person_id.to_owned()));
        }
        PersonRecord::decode_with(Row(&map), &query.extra_fields)
            .map_err(|fault| row_error(&self.endpoint(&request), PageLabel::default(), 1, fault))
    }

    /// One page as sent (no repeats dropped: a single page has no page before it).
    async fn list_page<T: Listed>(&self, request: ApiRequest, label: PageLabel) -> Result<Page<T>, Error> {
        let raw = self.raw_page(&request, &label).await?;
        let items = decode_rows(&self.endpoint(&request), &label, raw.rows.iter().enumerate(), &T::decode)?;
        Ok(Page { items, next: raw.next, duplicates_dropped: 0 })
    }

    /// One list answer split into its rows and next cursor, its rows not decoded yet.
    async fn raw_page(&self, request: &ApiRequest, label: &PageLabel) -> Result<RawPage, Error> {
        let body = self.inner.transport.get_json(request, label).await?;
        let endpoint = || self.endpoint(request);
        envelope(body).map_err(|fault| match fault {
            EnvelopeFault::NotAnObject(found) => Error::Decode {
                endpoint: endpoint(),
                page: label.clone(),
                reason: format!("expected a JSON object with a 'data' array, got {found}"),
            },
            EnvelopeFault::Data(found) => {
                Error::InvalidData { endpoint: endpoint(), page: label.clone(), found }
            }
            EnvelopeFault::Next(found) => {
                Error::InvalidNext { endpoint: endpoint(), page: label.clone(), found }
            }
        })
    }

    fn not_an_object(&self, request: &ApiRequest) -> Error {
        Error::Decode {
            endpoint: self.endpoint(request),
            page: PageLabel::default(),
            reason: "expected one person as a JSON object".into(),
        }
    }

    fn endpoint(&self, request: &ApiRequest) -> String {
        request.url(&self.inner.config.base_url).path().to_owned()
    }

    fn org(&self) -> &str {
        &self.inner.config.org
    }

    fn page_size(&self) -> u32 {
        self.inner.config.page_size
    }
}

/// A single-object answer, or the object under `data` should ChartHop wrap it.
fn single_object(body: &Value) -> Option<&serde_json::Map<String, Value>> {
    let map = body.as_object()?;
    match map.get("data") {
        Some(Value::Object(inner)) if !map.contains_key("id") => Some(inner),
        _ => Some(map),
    }
}

fn cursor_label(cursor: Option<&str>) -> PageLabel {
    PageLabel { number: None, from: cursor.filter(|c| !c.is_empty()).map(str::to_owned) }
}

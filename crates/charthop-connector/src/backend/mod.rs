//! The ChartHop connector served over the connector gRPC API: [`ChartHopBackend`] implements
//! `c1_connector_server::ConnectorBackend` with the one-shot sync's mapping, so a caller
//! walking the API gets exactly the rows [`crate::sync`] writes.
//!
//! What is kept between calls, each part bounded: the groups (listed once per sync, as the
//! one-shot sync holds them), one person listing in progress with the ids it has seen, the
//! last two person pages answered, and the membership grants of the most recently listed
//! persons ([`ChartHopBackend::DEFAULT_MEMBERSHIP_CACHE`] persons). ListGrants on a person
//! answers from there; a person no longer there costs one per-person request. The Go SDK
//! lists every resource before any grant, so an org larger than the cache pays one request
//! for each person beyond it (the earliest listed), and none below it.
//! ListResourceTypes (the start of a sync) and Cleanup forget it all.
//!
//! Employment is judged on the day a walk starts: ListResourceTypes asks the backend's clock
//! (UTC by default, [`ChartHopBackend::with_today`] in tests) and the walk's person pages use
//! that day, so a server running past midnight judges the next walk by the next day.
//! GetResource answers a group from the groups held and a person with one request, mapped on
//! the day the call asks the clock for.

mod cache;
mod lookup;
mod persons;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use c1_connector_server::{BackendError, ConnectorBackend, Page};
use c1_mapping::{GroupDirectory, group_resource, member_entitlement, membership_grant, person_grants};
use c1_proto::connector::v2::{ConnectorMetadata, Entitlement, Grant, Resource, ResourceId, ResourceType};
use c1_proto::prost_types::Any;
use charthop_client::ChartHopClient;
use charthop_domain::{NaiveDate, Person};

use self::cache::{MembershipCache, RecentPages};
use self::persons::PersonWalk;
use crate::sync::{groups_in_scope, list_groups, valid_groups};
use crate::{SyncError, SyncOptions};

/// The ChartHop connector as a `c1_connector_server::ConnectorBackend`. Each page token it
/// hands out is the ChartHop cursor of the next page, so any token can be continued.
pub struct ChartHopBackend {
    client: ChartHopClient,
    options: SyncOptions,
    today: Today,
    /// `options` with the day of the walk in progress.
    walk_options: Mutex<Arc<SyncOptions>>,
    groups: tokio::sync::Mutex<Option<Arc<Groups>>>,
    walk: tokio::sync::Mutex<Option<PersonWalk>>,
    pages: Mutex<RecentPages>,
    memberships: Mutex<MembershipCache>,
}

impl std::fmt::Debug for ChartHopBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChartHopBackend").field("client", &self.client).finish_non_exhaustive()
    }
}

/// The clock the backend judges employment by: today's date (UTC unless a test says).
type Today = Arc<dyn Fn() -> NaiveDate + Send + Sync>;

/// The groups of one sync, mapped.
pub(crate) struct Groups {
    resources: Vec<Resource>,
    entitlements: HashMap<String, Entitlement>,
    /// Every listed group: profiles name them.
    pub profiles: GroupDirectory,
    /// The groups in scope: only they are granted.
    pub grants: GroupDirectory,
}

impl ChartHopBackend {
    /// Persons whose memberships are kept between calls by default (a few hundred bytes each).
    pub const DEFAULT_MEMBERSHIP_CACHE: usize = 20_000;

    /// A backend syncing with `options` (the membership source, the scope and the mapping
    /// of the one-shot sync; the file and guard settings do not apply). `options.mapping.today`
    /// is replaced by the day each walk starts (UTC).
    pub fn new(client: ChartHopClient, options: SyncOptions) -> Self {
        Self::with_membership_cache(client, options, Self::DEFAULT_MEMBERSHIP_CACHE)
    }

    /// [`ChartHopBackend::new`] keeping the grants of at most `persons` persons between calls.
    pub fn with_membership_cache(client: ChartHopClient, options: SyncOptions, persons: usize) -> Self {
        let today: Today = Arc::new(|| chrono::Utc::now().date_naive());
        let walk_options = Mutex::new(Arc::new(on_day(&options, today())));
        Self {
            client,
            options,
            today,
            walk_options,
            groups: tokio::sync::Mutex::new(None),
            walk: tokio::sync::Mutex::new(None),
            pages: Mutex::new(RecentPages::default()),
            memberships: Mutex::new(MembershipCache::new(persons)),
        }
    }

    /// Judges employment by the day `today` answers, asked at the start of each walk and each
    /// lookup (tests move it; the default is the UTC date).
    pub fn with_today(mut self, today: impl Fn() -> NaiveDate + Send + Sync + 'static) -> Self {
        self.today = Arc::new(today);
        self.walk_options = Mutex::new(Arc::new(on_day(&self.options, (self.today)())));
        self
    }

    /// The options with today's date, for a walk or a lookup starting now.
    fn options_now(&self) -> SyncOptions {
        on_day(&self.options, (self.today)())
    }

    /// The options of the walk in progress.
    fn walk_options(&self) -> Arc<SyncOptions> {
        Arc::clone(&self.walk_slot())
    }

    fn walk_slot(&self) -> MutexGuard<'_, Arc<SyncOptions>> {
        self.walk_options.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The client, e.g. for its request counters.
    pub fn client(&self) -> &ChartHopClient {
        &self.client
    }

    async fn groups(&self) -> Result<Arc<Groups>, BackendError> {
        let mut held = self.groups.lock().await;
        if let Some(groups) = held.as_ref() {
            return Ok(Arc::clone(groups));
        }
        let groups = Arc::new(self.load_groups().await.map_err(backend_error)?);
        *held = Some(Arc::clone(&groups));
        Ok(groups)
    }

    async fn load_groups(&self) -> Result<Groups, SyncError> {
        let (types, groups) = list_groups(&self.client).await?;
        let groups = valid_groups(groups, &mut Default::default());
        let profiles = GroupDirectory::new(&groups);
        let in_scope = groups_in_scope(&groups, &types, self.options.group_types.as_deref())?;
        let mut resources = Vec::with_capacity(in_scope.len());
        let mut entitlements = HashMap::new();
        for group in &in_scope {
            // `valid_groups` has already refused what the mapping refuses.
            let Ok(resource) = group_resource(group, &profiles) else { continue };
            resources.push(resource.value);
            if self.options.writes_entitlements()
                && let Ok(entitlement) = member_entitlement(group, &profiles)
            {
                entitlements.insert(group.id.clone(), entitlement.value);
            }
        }
        Ok(Groups { resources, entitlements, profiles, grants: GroupDirectory::new(&in_scope) })
    }

    fn memberships(&self) -> MutexGuard<'_, MembershipCache> {
        self.memberships.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn recent_pages(&self) -> MutexGuard<'_, RecentPages> {
        self.pages.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets everything kept for the sync.
    async fn forget(&self) {
        *self.groups.lock().await = None;
        *self.walk.lock().await = None;
        self.recent_pages().clear();
        self.memberships().clear();
    }

    async fn person_grants(&self, person_id: &str) -> Result<Vec<Grant>, BackendError> {
        if let Some(group_ids) = self.memberships().get(person_id).cloned() {
            return Ok(group_ids.iter().map(|group_id| membership_grant(group_id, person_id)).collect());
        }
        let groups = self.groups().await?;
        let group_ids = match self.client.person_group_ids(person_id).await {
            Ok(ids) => ids,
            // Deleted since it was listed: no memberships to grant, as in the one-shot sync.
            Err(charthop_client::Error::PersonNotFound { .. }) => Vec::new(),
            Err(error) => return Err(backend_error(error.into())),
        };
        let person = Person { id: person_id.to_owned(), group_ids: Some(group_ids), ..Default::default() };
        Ok(person_grants(&person, &groups.grants).grants)
    }
}

impl ConnectorBackend for ChartHopBackend {
    async fn metadata(&self) -> Result<ConnectorMetadata, BackendError> {
        Ok(c1_mapping::connector_metadata())
    }

    async fn validate(&self) -> Result<Vec<Any>, BackendError> {
        // A field code the API cannot take fails here, before any request.
        self.options.person_query().fields_param().map_err(|e| backend_error(e.into()))?;
        self.client.validate_access().await.map_err(|e| backend_error(e.into()))?;
        Ok(Vec::new())
    }

    async fn resource_types(&self) -> Result<Vec<ResourceType>, BackendError> {
        // A caller lists the resource types first: a new sync starts from fresh data, on
        // today's date.
        self.forget().await;
        *self.walk_slot() = Arc::new(self.options_now());
        let wanted = |rt: &ResourceType| self.options.resource_types.includes(&rt.id);
        Ok(c1_mapping::resource_types().into_iter().filter(wanted).collect())
    }

    async fn resources(
        &self,
        resource_type_id: &str,
        token: Option<&str>,
    ) -> Result<Page<Resource>, BackendError> {
        match resource_type_id {
            c1_mapping::ids::GROUP if self.options.writes_groups() => {
                Ok(Page::last(self.groups().await?.resources.clone()))
            }
            c1_mapping::ids::PERSON if self.options.writes_persons() => self.person_page(token).await,
            other => Err(BackendError::UnknownResourceType(other.to_owned())),
        }
    }

    async fn resource(&self, id: &ResourceId) -> Result<Resource, BackendError> {
        self.lookup(id).await
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _token: Option<&str>,
    ) -> Result<Page<Entitlement>, BackendError> {
        let (kind, id) = resource_id(resource)?;
        if kind != c1_mapping::ids::GROUP || !self.options.writes_entitlements() {
            return Ok(Page::last(Vec::new()));
        }
        let groups = self.groups().await?;
        Ok(Page::last(groups.entitlements.get(id).cloned().into_iter().collect()))
    }

    async fn grants(&self, resource: &Resource, _token: Option<&str>) -> Result<Page<Grant>, BackendError> {
        let (kind, id) = resource_id(resource)?;
        // Memberships are each person's grants, as the one-shot sync writes them.
        if kind != c1_mapping::ids::PERSON || !self.options.writes_grants() {
            return Ok(Page::last(Vec::new()));
        }
        Ok(Page::last(self.person_grants(id).await?))
    }

    async fn cleanup(&self) -> Result<(), BackendError> {
        self.forget().await;
        Ok(())
    }
}

fn on_day(options: &SyncOptions, today: NaiveDate) -> SyncOptions {
    let mut options = options.clone();
    options.mapping.today = today;
    options
}

fn resource_id(resource: &Resource) -> Result<(&str, &str), BackendError> {
    match resource.id.as_ref() {
        Some(id)
            if id.resource_type == c1_mapping::ids::GROUP || id.resource_type == c1_mapping::ids::PERSON =>
        {
            Ok((id.resource_type.as_str(), id.resource.as_str()))
        }
        Some(id) => Err(BackendError::UnknownResourceType(id.resource_type.clone())),
        None => Err(BackendError::NotFound("a resource without an id".into())),
    }
}

/// The gRPC meaning of a failure: refused credentials, missing access, permanent, or worth
/// retrying.
pub(crate) fn backend_error(error: SyncError) -> BackendError {
    let status = match &error {
        SyncError::ChartHop(e) => e.status(),
        _ => None,
    };
    match status {
        Some(401) => BackendError::Unauthenticated(Box::new(error)),
        Some(403 | 404) => BackendError::PermissionDenied(Box::new(error)),
        _ if error.is_permanent() => BackendError::Internal(Box::new(error)),
        _ => BackendError::Unavailable(Box::new(error)),
    }
}

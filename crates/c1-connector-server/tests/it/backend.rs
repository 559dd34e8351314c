//! A static backend: users and groups, group memberships as grants, pages of a fixed size.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use c1_connector_server::{BackendError, ConnectorBackend, Page, ServeOptions, serve_with_shutdown};
use c1_proto::connector::v2::{
    ConnectorMetadata, Entitlement, Grant, GroupTrait, Resource, ResourceId, ResourceType, UserTrait,
    entitlement, resource_type,
};
use c1_proto::prost_types::Any;
use c1_proto::{pack_any, tonic};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const USERS: usize = 23;
pub const GROUPS: usize = 4;
/// Rows per backend page.
pub const PAGE: usize = 5;

#[derive(Default)]
pub struct StaticBackend {
    /// Resource-list calls, to show a resumed walk does not start over.
    pub resource_calls: AtomicUsize,
    /// A user profile padding, to make rows big enough to split pages.
    pub padding: usize,
}

pub fn user_id(n: usize) -> String {
    format!("u{n:02}")
}

pub fn group_id(n: usize) -> String {
    format!("g{n}")
}

fn rid(resource_type: &str, resource: &str) -> ResourceId {
    ResourceId { resource_type: resource_type.into(), resource: resource.into(), baton_resource: false }
}

pub fn user(n: usize, padding: usize) -> Resource {
    let trait_ = UserTrait { login: format!("{}{}", user_id(n), "x".repeat(padding)), ..Default::default() };
    Resource {
        id: Some(rid("user", &user_id(n))),
        display_name: format!("User {n}"),
        annotations: vec![pack_any(&trait_)],
        ..Default::default()
    }
}

pub fn group(n: usize) -> Resource {
    Resource {
        id: Some(rid("group", &group_id(n))),
        display_name: format!("Group {n}"),
        annotations: vec![pack_any(&GroupTrait::default())],
        ..Default::default()
    }
}

/// Members of group `g`: every user whose number is divisible by `g + 1`.
pub fn members(g: usize) -> Vec<usize> {
    (0..USERS).filter(|u| u % (g + 1) == 0).collect()
}

pub fn member_entitlement(g: usize) -> Entitlement {
    Entitlement {
        resource: Some(group(g)),
        id: format!("group:{}:member", group_id(g)),
        display_name: "member".into(),
        slug: "member".into(),
        purpose: entitlement::PurposeValue::Assignment.into(),
        ..Default::default()
    }
}

/// Offsets as tokens; "loop" answers with the token it was given.
fn page<T: Clone>(rows: &[T], token: Option<&str>) -> Result<Page<T>, BackendError> {
    let start: usize = match token {
        None => 0,
        Some(t) => t.parse().map_err(|e| BackendError::InvalidPageToken(Box::new(e)))?,
    };
    let end = (start + PAGE).min(rows.len());
    let next = (end < rows.len()).then(|| end.to_string());
    Ok(Page { items: rows[start.min(end)..end].to_vec(), next })
}

fn index(id: &str) -> usize {
    id[1..].parse().expect("a test id")
}

impl ConnectorBackend for StaticBackend {
    async fn metadata(&self) -> Result<ConnectorMetadata, BackendError> {
        Ok(ConnectorMetadata { display_name: "Static".into(), ..Default::default() })
    }

    async fn validate(&self) -> Result<Vec<Any>, BackendError> {
        Ok(Vec::new())
    }

    async fn resource_types(&self) -> Result<Vec<ResourceType>, BackendError> {
        let of = |id: &str, t: resource_type::Trait| ResourceType {
            id: id.into(),
            display_name: id.into(),
            traits: vec![t.into()],
            ..Default::default()
        };
        Ok(vec![of("user", resource_type::Trait::User), of("group", resource_type::Trait::Group)])
    }

    async fn resources(
        &self,
        resource_type_id: &str,
        page_token: Option<&str>,
    ) -> Result<Page<Resource>, BackendError> {
        self.resource_calls.fetch_add(1, Ordering::SeqCst);
        match resource_type_id {
            "user" => page(&(0..USERS).map(|n| user(n, self.padding)).collect::<Vec<_>>(), page_token),
            "group" => page(&(0..GROUPS).map(group).collect::<Vec<_>>(), page_token),
            "loop" => Ok(Page { items: vec![group(0)], next: Some(page_token.unwrap_or("0").to_owned()) }),
            other => Err(BackendError::UnknownResourceType(other.to_owned())),
        }
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        page_token: Option<&str>,
    ) -> Result<Page<Entitlement>, BackendError> {
        let id = resource.id.as_ref().expect("an id");
        match id.resource_type.as_str() {
            "group" => page(&[member_entitlement(index(&id.resource))], page_token),
            _ => Ok(Page::last(Vec::new())),
        }
    }

    async fn grants(
        &self,
        resource: &Resource,
        page_token: Option<&str>,
    ) -> Result<Page<Grant>, BackendError> {
        let id = resource.id.as_ref().expect("an id");
        if id.resource_type != "group" {
            return Ok(Page::last(Vec::new()));
        }
        let g = index(&id.resource);
        let grants: Vec<_> = members(g)
            .into_iter()
            .map(|u| Grant {
                entitlement: Some(member_entitlement(g)),
                principal: Some(Resource { id: Some(rid("user", &user_id(u))), ..Default::default() }),
                id: format!("group:{}:member:user:{}", group_id(g), user_id(u)),
                ..Default::default()
            })
            .collect();
        page(&grants, page_token)
    }
}

/// A served backend; dropping it stops the server.
pub struct Served {
    pub url: String,
    pub backend: Arc<StaticBackend>,
    _stop: oneshot::Sender<()>,
}

pub async fn serve_static(backend: StaticBackend, options: ServeOptions) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let backend = Arc::new(backend);
    let (stop, stopped) = oneshot::channel::<()>();
    let shared = Arc::clone(&backend);
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        serve_with_shutdown(listener, shared, None, options, shutdown).await.expect("serve");
    });
    Served { url, backend, _stop: stop }
}

pub async fn channel(url: &str) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(url.to_owned()).expect("url").connect().await.expect("connect")
}

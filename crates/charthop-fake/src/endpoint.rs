/// The ChartHop calls the fake serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    OrgList,
    PersonList,
    PersonGet,
    GroupList,
    GroupGet,
    GroupTypeList,
}

/// One route: its path exactly as ChartHop's OpenAPI files write it, and every query
/// parameter the fake reads on it (a handler cannot read one that is not listed here).
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub endpoint: Endpoint,
    pub path: &'static str,
    pub query_params: &'static [&'static str],
}

/// Every route the fake serves (all `GET`).
pub const ROUTES: &[Route] = &[
    Route { endpoint: Endpoint::OrgList, path: "/v1/org", query_params: &["from", "limit"] },
    Route {
        endpoint: Endpoint::PersonList,
        path: "/v2/org/{orgId}/person",
        query_params: &["from", "limit", "fields", "includeAll", "date", "ids"],
    },
    Route {
        endpoint: Endpoint::PersonGet,
        path: "/v2/org/{orgId}/person/{personId}",
        query_params: &["fields"],
    },
    Route {
        endpoint: Endpoint::GroupList,
        path: "/v2/org/{orgId}/group",
        query_params: &["from", "limit", "fields", "type", "timeFilter", "includeAll", "ids", "search"],
    },
    Route {
        endpoint: Endpoint::GroupGet,
        path: "/v2/org/{orgId}/group/{groupId}",
        query_params: &["fields"],
    },
    Route {
        endpoint: Endpoint::GroupTypeList,
        path: "/v1/org/{orgId}/group-type",
        query_params: &["from", "limit"],
    },
];

impl Endpoint {
    pub const ALL: [Endpoint; 6] = [
        Endpoint::OrgList,
        Endpoint::PersonList,
        Endpoint::PersonGet,
        Endpoint::GroupList,
        Endpoint::GroupGet,
        Endpoint::GroupTypeList,
    ];

    pub fn route(self) -> &'static Route {
        ROUTES.iter().find(|r| r.endpoint == self).expect("every endpoint has a route")
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Person data: refused to a token without person access.
    pub(crate) fn reads_persons(self) -> bool {
        matches!(self, Endpoint::PersonList | Endpoint::PersonGet)
    }

    /// Listings that may answer 202 while a snapshot builds (as the OpenAPI files declare).
    pub(crate) fn may_answer_accepted(self) -> bool {
        matches!(self, Endpoint::PersonList | Endpoint::GroupList)
    }
}

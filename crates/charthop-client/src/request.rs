//! Request building: which path and query each call sends. No IO.

use chrono::NaiveDate;
use url::Url;

/// The ChartHop endpoints this client calls, named by their OpenAPI path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EndpointKind {
    PersonList,
    PersonGet,
    GroupList,
    GroupTypeList,
}

impl EndpointKind {
    pub const ALL: [EndpointKind; 4] = [
        EndpointKind::PersonList,
        EndpointKind::PersonGet,
        EndpointKind::GroupList,
        EndpointKind::GroupTypeList,
    ];

    /// The path template as ChartHop's OpenAPI description declares it.
    pub fn template(self) -> &'static str {
        match self {
            EndpointKind::PersonList => "/v2/org/{orgId}/person",
            EndpointKind::PersonGet => "/v2/org/{orgId}/person/{personId}",
            EndpointKind::GroupList => "/v2/org/{orgId}/group",
            EndpointKind::GroupTypeList => "/v1/org/{orgId}/group-type",
        }
    }

    /// What a 403 on this endpoint means the token cannot read.
    pub(crate) fn subject(self) -> &'static str {
        match self {
            EndpointKind::PersonList | EndpointKind::PersonGet => "persons",
            EndpointKind::GroupList => "groups",
            EndpointKind::GroupTypeList => "group types",
        }
    }
}

/// Which persons to list and which fields to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonQuery {
    /// `includeAll`: also ex-employees and persons never in a job.
    pub include_all: bool,
    /// Ask for `contact.homeEmail` (PII): only when the operator configured it.
    pub include_personal_email: bool,
    /// `date`: the org as of this day; ChartHop's today when absent.
    pub date: Option<NaiveDate>,
    /// Ask for `groupIds` on every row (memberships without one request per person).
    pub with_group_ids: bool,
}

impl Default for PersonQuery {
    fn default() -> Self {
        Self { include_all: true, include_personal_email: false, date: None, with_group_ids: true }
    }
}

impl PersonQuery {
    /// The `fields` parameter: explicit field codes, as ChartHop's own tools send.
    ///
    /// `manager` is left out on purpose: in flat rows it is the manager's JOB id, not a person
    /// id; `managerIds` carries person ids.
    pub fn field_codes(&self) -> Vec<&'static str> {
        let mut fields = vec![
            "id",
            "name.first",
            "name.middle",
            "name.last",
            "name.pref",
            "name.prefLast",
            "contact.workEmail",
            "contact.employee",
            "title",
            "jobId",
            "managerIds",
            "startDate",
            "endDate",
            "createAt",
        ];
        if self.include_personal_email {
            fields.push("contact.homeEmail");
        }
        if self.with_group_ids {
            fields.push("groupIds");
        }
        fields
    }
}

/// `timeFilter` of the group list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeFilter {
    /// Groups existing on the date (ChartHop's default).
    #[default]
    Current,
    /// Deleted groups.
    Archived,
    /// Future-dated groups.
    Future,
    All,
}

impl TimeFilter {
    pub fn as_param(self) -> &'static str {
        match self {
            TimeFilter::Current => "CURRENT",
            TimeFilter::Archived => "ARCHIVED",
            TimeFilter::Future => "FUTURE",
            TimeFilter::All => "ALL",
        }
    }
}

/// Which groups to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupQuery {
    pub time_filter: TimeFilter,
    /// `type`: only groups of this type.
    pub group_type: Option<String>,
    /// `date`: as of this day.
    pub date: Option<NaiveDate>,
}

/// One GET: which endpoint, its concrete (percent-encoded) path and its query parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    pub kind: EndpointKind,
    /// Org and ids as path segments, e.g. `["v2", "org", "acme", "person"]`.
    segments: Vec<String>,
    pub query: Vec<(&'static str, String)>,
}

impl ApiRequest {
    pub fn person_list(org: &str, query: &PersonQuery, limit: u32, from: Option<&str>) -> Self {
        let mut params = paging(limit, from);
        params.push(("fields", query.field_codes().join(",")));
        params.push(("includeAll", query.include_all.to_string()));
        if let Some(date) = query.date {
            params.push(("date", date.to_string()));
        }
        Self::new(EndpointKind::PersonList, &["v2", "org", org, "person"], params)
    }

    /// The cheapest call that proves the token can read persons of the org.
    pub fn access_probe(org: &str) -> Self {
        let params = vec![("limit", "1".to_owned()), ("fields", "id".to_owned())];
        Self::new(EndpointKind::PersonList, &["v2", "org", org, "person"], params)
    }

    pub fn person_get(org: &str, person_id: &str, fields: &[&str], date: Option<NaiveDate>) -> Self {
        let mut params = vec![("fields", fields.join(","))];
        if let Some(date) = date {
            params.push(("date", date.to_string()));
        }
        Self::new(EndpointKind::PersonGet, &["v2", "org", org, "person", person_id], params)
    }

    pub fn group_list(org: &str, query: &GroupQuery, limit: u32, from: Option<&str>) -> Self {
        let mut params = paging(limit, from);
        params.push(("timeFilter", query.time_filter.as_param().to_owned()));
        if let Some(group_type) = &query.group_type {
            params.push(("type", group_type.clone()));
        }
        if let Some(date) = query.date {
            params.push(("date", date.to_string()));
        }
        Self::new(EndpointKind::GroupList, &["v2", "org", org, "group"], params)
    }

    pub fn group_type_list(org: &str, limit: u32, from: Option<&str>) -> Self {
        Self::new(EndpointKind::GroupTypeList, &["v1", "org", org, "group-type"], paging(limit, from))
    }

    /// The person id of a single-person request.
    pub(crate) fn person_id(&self) -> Option<&str> {
        match self.kind {
            EndpointKind::PersonGet => self.segments.get(4).map(String::as_str),
            _ => None,
        }
    }

    fn new(kind: EndpointKind, segments: &[&str], query: Vec<(&'static str, String)>) -> Self {
        Self { kind, segments: segments.iter().map(|s| (*s).to_owned()).collect(), query }
    }

    /// The full URL under `base` (whose own path, if any, is kept as a prefix).
    pub fn url(&self, base: &Url) -> Url {
        let mut url = base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(&self.segments);
        }
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(self.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url
    }
}

fn paging(limit: u32, from: Option<&str>) -> Vec<(&'static str, String)> {
    let mut params = vec![("limit", limit.to_string())];
    if let Some(from) = from.filter(|f| !f.is_empty()) {
        params.push(("from", from.to_owned()));
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://api.charthop.com").unwrap()
    }

    #[test]
    fn person_list_sends_fields_include_all_and_cursor() {
        let query = PersonQuery { date: NaiveDate::from_ymd_opt(2026, 1, 31), ..Default::default() };
        let url = ApiRequest::person_list("acme", &query, 1000, Some("p42")).url(&base());
        assert_eq!(url.path(), "/v2/org/acme/person");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("limit"), Some("1000"));
        assert_eq!(get("from"), Some("p42"));
        assert_eq!(get("includeAll"), Some("true"));
        assert_eq!(get("date"), Some("2026-01-31"));
        let fields = get("fields").unwrap();
        assert!(fields.ends_with(",groupIds"), "{fields}");
        assert!(!fields.contains("homeEmail"), "personal email is PII: {fields}");
    }

    #[test]
    fn personal_email_and_group_ids_follow_the_query() {
        let query = PersonQuery { include_personal_email: true, with_group_ids: false, ..Default::default() };
        let fields = query.field_codes();
        assert!(fields.contains(&"contact.homeEmail"));
        assert!(!fields.contains(&"groupIds"));
    }

    #[test]
    fn first_page_sends_no_from() {
        let url = ApiRequest::group_type_list("acme", 50, Some("")).url(&base());
        assert_eq!(url.as_str(), "https://api.charthop.com/v1/org/acme/group-type?limit=50");
    }

    #[test]
    fn groups_default_to_current_and_pass_type() {
        let query = GroupQuery { group_type: Some("TEAM".into()), ..Default::default() };
        let url = ApiRequest::group_list("acme", &query, 10, None).url(&base());
        assert_eq!(
            url.as_str(),
            "https://api.charthop.com/v2/org/acme/group?limit=10&timeFilter=CURRENT&type=TEAM"
        );
    }

    #[test]
    fn org_and_ids_are_path_segments_and_a_base_prefix_is_kept() {
        let base = Url::parse("http://127.0.0.1:9/prefix/").unwrap();
        let url = ApiRequest::person_get("a/b c", "p?1", &["groupIds"], None).url(&base);
        assert_eq!(url.path(), "/prefix/v2/org/a%2Fb%20c/person/p%3F1");
        assert_eq!(url.query(), Some("fields=groupIds"));
    }
}

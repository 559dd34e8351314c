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
    /// More field codes to ask for (the org's own fields); each must pass
    /// [`check_field_code`]. Sent only when not empty.
    pub extra_fields: Vec<String>,
}

impl Default for PersonQuery {
    fn default() -> Self {
        Self {
            include_all: true,
            include_personal_email: false,
            date: None,
            with_group_ids: true,
            extra_fields: Vec::new(),
        }
    }
}

/// The manager's contact and name, read from each person's own row: no request per person
/// and no index of the org (`docs/charthop-api.md#person-fields`).
pub const MANAGER_FIELD_CODES: [&str; 4] =
    ["manager.contact.workEmail", "manager.name.first", "manager.name.pref", "manager.name.last"];

/// Longest field code accepted in [`PersonQuery::extra_fields`].
pub const FIELD_CODE_MAX: usize = 200;

/// Why a field code is not one the client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldCodeProblem {
    #[error("it is empty")]
    Empty,
    #[error("it is longer than {FIELD_CODE_MAX} bytes")]
    TooLong,
    #[error("it holds '{0}' (a field code has letters, digits, '_' and '.' between names)")]
    Character(char),
    #[error("it does not start with a letter, or has an empty part between dots")]
    Shape,
}

/// A plain field code: `name.part` segments of ASCII letters, digits and `_`, each starting
/// with a letter or `_` (and the first with a letter). Anything else (a comma, a space, `=`)
/// would change the `fields` list or the query itself.
pub fn check_field_code(code: &str) -> Result<(), FieldCodeProblem> {
    if code.is_empty() {
        return Err(FieldCodeProblem::Empty);
    }
    if code.len() > FIELD_CODE_MAX {
        return Err(FieldCodeProblem::TooLong);
    }
    if let Some(bad) = code.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '.')) {
        return Err(FieldCodeProblem::Character(bad));
    }
    let starts_with_letter = code.starts_with(|c: char| c.is_ascii_alphabetic());
    let parts_ok =
        code.split('.').all(|part| part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
    if starts_with_letter && parts_ok { Ok(()) } else { Err(FieldCodeProblem::Shape) }
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
        fields.extend(MANAGER_FIELD_CODES);
        if self.include_personal_email {
            fields.push("contact.homeEmail");
        }
        if self.with_group_ids {
            fields.push("groupIds");
        }
        fields
    }

    /// The `fields` parameter: [`PersonQuery::field_codes`], then the extra field codes
    /// (each checked, repeats left out).
    pub fn fields_param(&self) -> Result<String, crate::Error> {
        let mut fields = self.field_codes().join(",");
        let mut seen = std::collections::HashSet::new();
        for code in &self.extra_fields {
            check_field_code(code)
                .map_err(|problem| crate::Error::InvalidFieldCode { code: shown(code), problem })?;
            if seen.insert(code.to_ascii_lowercase()) {
                fields.push(',');
                fields.push_str(code);
            }
        }
        Ok(fields)
    }
}

/// At most 64 characters of a refused code (it may be huge).
fn shown(code: &str) -> String {
    match code.char_indices().nth(64) {
        Some((end, _)) => format!("{}…", &code[..end]),
        None => code.to_owned(),
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
    /// Refused when an extra field code is not a plain one ([`crate::Error::InvalidFieldCode`]).
    pub fn person_list(
        org: &str,
        query: &PersonQuery,
        limit: u32,
        from: Option<&str>,
    ) -> Result<Self, crate::Error> {
        let mut params = paging(limit, from);
        params.push(("fields", query.fields_param()?));
        params.push(("includeAll", query.include_all.to_string()));
        if let Some(date) = query.date {
            params.push(("date", date.to_string()));
        }
        Ok(Self::new(EndpointKind::PersonList, &["v2", "org", org, "person"], params))
    }

    /// The cheapest call that proves the token can read persons of the org.
    pub fn access_probe(org: &str) -> Self {
        let params = vec![("limit", "1".to_owned()), ("fields", "id".to_owned())];
        Self::new(EndpointKind::PersonList, &["v2", "org", org, "person"], params)
    }

    pub fn person_get(org: &str, person_id: &str, fields: &[&str], date: Option<NaiveDate>) -> Self {
        Self::person_get_fields(org, person_id, fields.join(","), date)
    }

    /// [`ApiRequest::person_get`] with the `fields` parameter as built.
    pub fn person_get_fields(org: &str, person_id: &str, fields: String, date: Option<NaiveDate>) -> Self {
        let mut params = vec![("fields", fields)];
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
        let url = ApiRequest::person_list("acme", &query, 1000, Some("p42")).unwrap().url(&base());
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
    fn manager_codes_are_always_asked_for_and_extra_codes_only_when_set() {
        let plain = PersonQuery::default().fields_param().unwrap();
        assert!(plain.contains(",manager.contact.workEmail,manager.name.first,"), "{plain}");
        let query = PersonQuery {
            extra_fields: vec!["shirtSize".into(), "customFields.cost_center".into(), "SHIRTSIZE".into()],
            ..Default::default()
        };
        let fields = query.fields_param().unwrap();
        assert_eq!(fields, format!("{plain},shirtSize,customFields.cost_center"));
    }

    #[test]
    fn extra_codes_that_are_not_plain_field_codes_are_refused() {
        for (code, problem) in [
            ("a,b", FieldCodeProblem::Character(',')),
            ("cost center", FieldCodeProblem::Character(' ')),
            ("x=1", FieldCodeProblem::Character('=')),
            ("a&limit", FieldCodeProblem::Character('&')),
            ("", FieldCodeProblem::Empty),
            ("a..b", FieldCodeProblem::Shape),
            (".a", FieldCodeProblem::Shape),
            ("1a", FieldCodeProblem::Shape),
            ("größe", FieldCodeProblem::Character('ö')),
        ] {
            assert_eq!(check_field_code(code), Err(problem), "{code:?}");
            let query = PersonQuery { extra_fields: vec![code.to_owned()], ..Default::default() };
            let err = ApiRequest::person_list("acme", &query, 10, None).unwrap_err();
            assert!(
                matches!(&err, crate::Error::InvalidFieldCode { problem: p, .. } if *p == problem),
                "{err}"
            );
        }
        assert_eq!(check_field_code(&"a".repeat(FIELD_CODE_MAX + 1)), Err(FieldCodeProblem::TooLong));
        for good in ["fte", "shirtSize", "custom_1.sub_part", "a._b"] {
            assert_eq!(check_field_code(good), Ok(()), "{good}");
        }
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

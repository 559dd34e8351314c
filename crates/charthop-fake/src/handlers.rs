//! The body of each endpoint's successful answer (pure: no faults, no auth).

use std::collections::HashSet;

use charthop_domain::{NaiveDate, Person};

use crate::endpoint::Endpoint;
use crate::error::ApiError;
use crate::knobs::{GroupIdsAnswer, Knobs, NextShape};
use crate::org::Org;
use crate::paging::{self, Page, PagingMode};
use crate::query::Params;
use crate::rows::{Envelope, GroupFields, GroupRow, PersonFields, PersonRow, group_type_row, org_row};
use crate::store::{GroupTime, Store, StoredGroup};

/// The JSON body for a call that passed every check; `item` is the `{personId}`/`{groupId}`.
pub(crate) fn answer(
    store: &Store,
    knobs: &Knobs,
    endpoint: Endpoint,
    item: Option<&str>,
    params: &Params,
) -> Result<Vec<u8>, ApiError> {
    let item = item.unwrap_or_default();
    match endpoint {
        Endpoint::OrgList => org_list(store, knobs, params),
        Endpoint::PersonList => person_list(store, knobs, params),
        Endpoint::PersonGet => person_get(store, knobs, item, params),
        Endpoint::GroupList => group_list(store, knobs, params),
        Endpoint::GroupGet => group_get(store, item, params),
        Endpoint::GroupTypeList => group_type_list(store, knobs, params),
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("fake could not encode JSON: {e}"),
        )
    })
}

/// A page of `rows` as the knobs say (`from` semantics, page cap, a repeating `next`).
fn page_of<'a, T>(
    rows: &'a [T],
    id: impl Fn(&T) -> &str,
    keep: impl Fn(&T) -> bool,
    knobs: &Knobs,
    params: &Params,
) -> Result<Page<'a, T>, ApiError> {
    let from = params.get("from");
    let mut page = paging::page(rows, id, keep, from, params.limit(knobs)?, PagingMode::of(knobs));
    if knobs.repeat_next && from.is_some() {
        page.next = from.map(str::to_owned);
    }
    if knobs.endless_cursors
        && let Some(from) = from
    {
        page.rows.clear();
        page.next = Some(endless_successor(from));
    }
    Ok(page)
}

/// `endless-1`, `endless-2`, ...: a cursor never sent before.
fn endless_successor(from: &str) -> String {
    let n: u64 = from.strip_prefix("endless-").and_then(|n| n.parse().ok()).unwrap_or(0);
    format!("endless-{}", n + 1)
}

fn envelope<'a, T, R>(page: Page<'a, T>, knobs: &Knobs, row: impl Fn(&'a T) -> R) -> Envelope<R> {
    let next = page.next.map(|next| match knobs.next_shape {
        NextShape::String => serde_json::Value::String(next),
        NextShape::Number => serde_json::json!(1),
        NextShape::Object => serde_json::json!({ "from": next }),
        NextShape::Array => serde_json::json!([next]),
        NextShape::Bool => serde_json::Value::Bool(true),
    });
    Envelope { data: Some(page.rows.into_iter().map(row).collect()), next }
}

fn org_list(store: &Store, knobs: &Knobs, params: &Params) -> Result<Vec<u8>, ApiError> {
    let org = std::slice::from_ref(&store.org);
    let page = page_of(org, |o: &Org| &o.org_id, |_| true, knobs, params)?;
    to_json(&envelope(page, knobs, org_row))
}

fn person_row<'a>(
    store: &'a Store,
    knobs: &Knobs,
    person: &'a Person,
    fields: PersonFields,
    huge_title: Option<&'a str>,
) -> PersonRow<'a> {
    let manager_job_id = person.manager_id.as_deref().and_then(|m| store.job_id_of(m));
    let first = store.org.persons.first().is_some_and(|p| p.id == person.id);
    PersonRow {
        person,
        fields,
        nested: knobs.nested_rows,
        manager_job_id,
        manager: person.manager_id.as_deref().and_then(|m| store.org.person(m)),
        group_ids: GroupIdsAnswer::Array,
        title_override: huge_title.filter(|_| first),
    }
}

fn huge_title(knobs: &Knobs) -> Option<String> {
    knobs.huge_title.map(|bytes| "t".repeat(bytes))
}

/// Without `includeAll=true` the list holds only persons active on `date` (default: the
/// org's today): no departed, no pre-hires (not yet in a job on that date), no one never
/// in a job.
fn person_list(store: &Store, knobs: &Knobs, params: &Params) -> Result<Vec<u8>, ApiError> {
    let mut fields = PersonFields::from_query(params.get("fields"));
    if !knobs.list_honours_group_ids {
        fields = fields.without_group_ids();
    }
    let include_all = params.flag("includeAll")?.unwrap_or(false);
    let date: NaiveDate = params.parse("date", "a date (YYYY-MM-DD)")?.unwrap_or(store.org.today);
    let ids: Option<HashSet<&str>> = params.list("ids").map(|ids| ids.into_iter().collect());
    let keep = |p: &Person| {
        (include_all || Org::is_current(p, date))
            && ids.as_ref().is_none_or(|ids| ids.contains(p.id.as_str()))
    };
    let mut page = page_of(&store.org.persons, |p| &p.id, keep, knobs, params)?;
    if knobs.person_list_data_null {
        return to_json(&Envelope::<()> { data: None, next: None });
    }
    if knobs.duplicate_person_across_pages
        && let Some(from) = params.get("from")
    {
        let first = paging::page(
            &store.org.persons,
            |p| &p.id,
            keep,
            None,
            params.limit(knobs)?,
            PagingMode::of(knobs),
        );
        let second_page = first.next.as_deref() == Some(from);
        if let Some(repeated) = first.rows.first().filter(|_| !second_page) {
            page.rows.push(repeated);
        }
    }
    let title = huge_title(knobs);
    to_json(&envelope(page, knobs, |p| PersonRow {
        group_ids: knobs.person_list_group_ids,
        ..person_row(store, knobs, p, fields, title.as_deref())
    }))
}

/// One person, whatever their employment, as the object itself (no envelope).
fn person_get(store: &Store, knobs: &Knobs, id: &str, params: &Params) -> Result<Vec<u8>, ApiError> {
    let person = store.org.person(id).ok_or_else(|| ApiError::not_found(format!("person {id} not found")))?;
    let title = huge_title(knobs);
    let mut row =
        person_row(store, knobs, person, PersonFields::from_query(params.get("fields")), title.as_deref());
    row.group_ids = knobs.person_get_group_ids;
    to_json(&row)
}

fn group_time_filter(params: &Params) -> Result<&'static [GroupTime], ApiError> {
    const ALL: &[GroupTime] = &[GroupTime::Current, GroupTime::Archived, GroupTime::Future];
    if params.flag("includeAll")? == Some(true) {
        return Ok(ALL);
    }
    match params.get("timeFilter").map(str::to_ascii_uppercase).as_deref() {
        None | Some("CURRENT") => Ok(&[GroupTime::Current]),
        Some("ARCHIVED") => Ok(&[GroupTime::Archived]),
        Some("FUTURE") => Ok(&[GroupTime::Future]),
        Some("ALL") => Ok(ALL),
        Some(other) => Err(ApiError::bad_request(format!(
            "query parameter timeFilter={other:?} is not one of CURRENT, ARCHIVED, FUTURE, ALL"
        ))),
    }
}

fn group_list(store: &Store, knobs: &Knobs, params: &Params) -> Result<Vec<u8>, ApiError> {
    let times = group_time_filter(params)?;
    // `type` may name a group-type id or a type name.
    let type_id = params.get("type").map(|wanted| {
        store
            .group_types
            .iter()
            .find(|t| t.id == wanted || t.name.eq_ignore_ascii_case(wanted))
            .map_or(wanted, |t| t.id.as_str())
    });
    let ids: Option<HashSet<&str>> = params.list("ids").map(|ids| ids.into_iter().collect());
    let search = params.get("search").map(str::to_lowercase);
    let keep = |g: &StoredGroup| {
        let group = &g.group;
        times.contains(&g.time)
            && type_id.is_none_or(|t| group.type_id.as_deref() == Some(t))
            && ids.as_ref().is_none_or(|ids| ids.contains(group.id.as_str()))
            && search.as_deref().is_none_or(|s| {
                group.name.to_lowercase().contains(s)
                    || group.code.as_deref().is_some_and(|c| c.to_lowercase().contains(s))
            })
    };
    let fields = GroupFields::from_query(params.get("fields"));
    let page = page_of(&store.groups, |g| &g.group.id, keep, knobs, params)?;
    to_json(&envelope(page, knobs, |g| GroupRow { group: &g.group, fields }))
}

/// One group of any time filter, by id or slug, as the object itself.
fn group_get(store: &Store, id_or_slug: &str, params: &Params) -> Result<Vec<u8>, ApiError> {
    let group = store
        .org
        .group(id_or_slug)
        .ok_or_else(|| ApiError::not_found(format!("group {id_or_slug} not found")))?;
    to_json(&GroupRow { group, fields: GroupFields::from_query(params.get("fields")) })
}

fn group_type_list(store: &Store, knobs: &Knobs, params: &Params) -> Result<Vec<u8>, ApiError> {
    let page = page_of(&store.group_types, |t| &t.id, |_| true, knobs, params)?;
    to_json(&envelope(page, knobs, |t| group_type_row(&store.org, t)))
}

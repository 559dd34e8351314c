//! Answers the fake never gives, made by rewriting its person pages in the proxy.

use serde_json::Value;

use crate::proxy::{Action, Exchange};

/// The second person page is not JSON at all.
pub fn malformed_json(x: &Exchange<'_>) -> Action {
    if x.is_person_list() && x.nth == 1 {
        return Action::Replace(200, br#"{"data": [{"id": "p1",}, nul"#.to_vec());
    }
    Action::Pass
}

/// The first person page has a row without `id`.
pub fn row_without_id(x: &Exchange<'_>) -> Action {
    rewrite_first_page(x, |page| {
        if let Some(row) = page["data"].get_mut(0).and_then(Value::as_object_mut) {
            row.remove("id");
        }
    })
}

/// Single-person answers leave out `groupIds` (a token that may not read memberships).
pub fn person_without_group_ids(x: &Exchange<'_>) -> Action {
    let path = x.target.split('?').next().unwrap_or_default();
    let is_person_get = path.starts_with("/v2/org/") && path.rsplit('/').nth(1) == Some("person");
    if !is_person_get || x.status != 200 {
        return Action::Pass;
    }
    let Some(mut row) = x.json() else { return Action::Pass };
    if let Some(row) = row.as_object_mut() {
        row.remove("groupIds");
    }
    Action::Replace(200, row.to_string().into_bytes())
}

/// Every request is held unanswered.
pub fn never_answer(_: &Exchange<'_>) -> Action {
    Action::Hang
}

/// The first person page answers `{"data": null}`.
pub fn data_null(x: &Exchange<'_>) -> Action {
    rewrite_first_page(x, |page| page["data"] = Value::Null)
}

/// The first person page's `next` is a number.
pub fn numeric_next(x: &Exchange<'_>) -> Action {
    rewrite_first_page(x, |page| page["next"] = Value::from(12345))
}

/// Person pages go on forever: each cursor is new, each page one new row.
pub fn endless_cursors(x: &Exchange<'_>) -> Action {
    if !x.is_person_list() {
        return Action::Pass;
    }
    let n = crate::proxy::next_number();
    if x.target.contains("from=cursor-") {
        let page = serde_json::json!({"data": [{"id": format!("{n:024x}")}], "next": format!("cursor-{n}")});
        return Action::Replace(200, page.to_string().into_bytes());
    }
    rewrite_first_page(x, |page| page["next"] = Value::from(format!("cursor-{n}")))
}

/// Every person listing answers 202 (a snapshot that never finishes building).
pub fn accepted_forever(x: &Exchange<'_>) -> Action {
    if x.is_person_list() { Action::Replace(202, Vec::new()) } else { Action::Pass }
}

/// The first person page is about 100 MB (one huge title).
pub fn huge_page(x: &Exchange<'_>) -> Action {
    rewrite_first_page(x, |page| {
        if let Some(row) = page["data"].get_mut(0).and_then(Value::as_object_mut) {
            row.insert("title".to_owned(), Value::from("x".repeat(100 << 20)));
        }
    })
}

fn rewrite_first_page(x: &Exchange<'_>, change: impl FnOnce(&mut Value)) -> Action {
    if !x.is_person_list() || x.nth != 0 || x.status != 200 {
        return Action::Pass;
    }
    let Some(mut page) = x.json() else { return Action::Pass };
    change(&mut page);
    Action::Replace(200, page.to_string().into_bytes())
}

/// Keeps the first person page's first row, to serve it again on the third page.
static FIRST_ROW: std::sync::Mutex<Option<serde_json::Value>> = std::sync::Mutex::new(None);

/// The third person page repeats a person of the first.
pub fn duplicate_across_pages(x: &Exchange<'_>) -> Action {
    if !x.is_person_list() || x.status != 200 || !(x.nth == 0 || x.nth == 2) {
        return Action::Pass;
    }
    let Some(mut page) = x.json() else { return Action::Pass };
    let mut first = FIRST_ROW.lock().unwrap_or_else(|e| e.into_inner());
    match (x.nth, page["data"].as_array_mut()) {
        (0, Some(rows)) => *first = rows.first().cloned(),
        (_, Some(rows)) => rows.extend(first.clone()),
        _ => {}
    }
    Action::Replace(200, page.to_string().into_bytes())
}

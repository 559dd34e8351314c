//! ChartHop-shaped JSON, built from the documented shapes (never from the client's types).

mod group;
mod person;

pub(crate) use group::{GroupFields, GroupRow, group_type_row, org_row};
pub(crate) use person::{PersonFields, PersonRow};

use serde::Serialize;

/// `{"data": [...], "next": "..."}`; `next` is left out on the last page. `data` is `None`
/// (sent as `null`) and `next` any JSON only when a knob plays that fault.
#[derive(Serialize)]
pub(crate) struct Envelope<R> {
    pub data: Option<Vec<R>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<serde_json::Value>,
}

/// A set of field codes chosen from `all` by a comma-separated, case-insensitive list;
/// unknown codes are ignored.
fn parse_codes<F: Copy>(list: &str, all: &[F], code: impl Fn(F) -> &'static str) -> u32 {
    let mut bits = 0;
    for wanted in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        if let Some(i) = all.iter().position(|f| code(*f).eq_ignore_ascii_case(wanted)) {
            bits |= 1 << i;
        }
    }
    bits
}

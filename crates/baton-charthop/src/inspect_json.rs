//! `inspect --output json`: the summary object, then each asked-for list streamed a row at a
//! time (a file with a million grants is listed in the memory of one row).

use std::io::Write;

use anyhow::{Context, Result};
use c1_proto::connector::v2::{Entitlement, Grant, Resource, ResourceType};
use c1_proto::prost_types::Any;
use serde_json::Value;

/// Writes `summary` with `lists` appended as arrays: `(key, rows)`, rows read as they are written.
pub fn write_object(out: &mut impl Write, summary: &Value, lists: Vec<(&str, RowSource<'_>)>) -> Result<()> {
    let head = serde_json::to_string_pretty(summary)?;
    // A pretty object ends with "\n}": the lists go before that brace.
    let open = head.strip_suffix("\n}").context("the summary is a JSON object")?;
    out.write_all(open.as_bytes())?;
    for (key, rows) in lists {
        write!(out, ",\n  {}: [", serde_json::to_string(key)?)?;
        let mut first = true;
        for value in rows {
            let value = value?;
            out.write_all(if first { b"\n    " } else { b",\n    " })?;
            serde_json::to_writer(&mut *out, &value)?;
            first = false;
        }
        out.write_all(if first { b"]" } else { b"\n  ]" })?;
    }
    out.write_all(b"\n}\n")?;
    Ok(())
}

/// Rows as JSON values, one at a time.
pub type RowSource<'a> = Box<dyn Iterator<Item = Result<Value>> + 'a>;

pub fn rows<'a, M, E>(rows: impl Iterator<Item = Result<M, E>> + 'a) -> RowSource<'a>
where
    M: c1_proto::prost::Message + c1_proto::prost::Name + Annotated,
    E: std::error::Error + Send + Sync + 'static,
{
    Box::new(rows.map(|row| {
        let mut message = row?;
        // A file from another connector may carry annotations this build has no schema for:
        // those are left out of the JSON rather than failing the whole listing.
        message.retain_known_annotations();
        c1_proto::json::try_to_json_value(&message).context("cannot show a row as JSON")
    }))
}

/// Messages whose annotations may name types outside this build's protobuf subset.
pub trait Annotated {
    fn retain_known_annotations(&mut self);
}

fn retain_known(annotations: &mut Vec<Any>) {
    let pool = c1_proto::json::descriptor_pool();
    annotations.retain(|any| {
        let name = any.type_url.rsplit('/').next().unwrap_or_default();
        pool.get_message_by_name(name).is_some()
    });
}

impl Annotated for ResourceType {
    fn retain_known_annotations(&mut self) {
        retain_known(&mut self.annotations);
    }
}

impl Annotated for Resource {
    fn retain_known_annotations(&mut self) {
        retain_known(&mut self.annotations);
    }
}

impl Annotated for Entitlement {
    fn retain_known_annotations(&mut self) {
        retain_known(&mut self.annotations);
        if let Some(resource) = &mut self.resource {
            resource.retain_known_annotations();
        }
    }
}

impl Annotated for Grant {
    fn retain_known_annotations(&mut self) {
        retain_known(&mut self.annotations);
        if let Some(entitlement) = &mut self.entitlement {
            entitlement.retain_known_annotations();
        }
        if let Some(principal) = &mut self.principal {
            principal.retain_known_annotations();
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shown(lists: Vec<(&str, Vec<Value>)>) -> String {
        let mut out = Vec::new();
        let lists = lists
            .into_iter()
            .map(|(key, values)| (key, Box::new(values.into_iter().map(Ok)) as RowSource<'_>))
            .collect();
        write_object(&mut out, &json!({"file": "a.c1z", "grants": 2}), lists).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_streamed_object_is_the_summary_with_its_lists() {
        let text = shown(vec![
            ("grantList", vec![json!({"id": 1}), json!({"id": "\u{1b}"})]),
            ("resourceList", vec![]),
        ]);
        let parsed: Value = serde_json::from_str(&text).expect(&text);
        assert_eq!(
            parsed,
            json!({"file": "a.c1z", "grants": 2, "grantList": [{"id": 1}, {"id": "\u{1b}"}], "resourceList": []})
        );
        assert!(!text.contains('\u{1b}'), "control characters are escaped: {text}");
        assert_eq!(
            serde_json::from_str::<Value>(&shown(vec![])).unwrap(),
            json!({"file": "a.c1z", "grants": 2})
        );
    }

    #[test]
    fn a_failing_row_stops_the_listing_with_its_error() {
        let mut out = Vec::new();
        let failing: RowSource<'_> =
            Box::new([Ok(json!(1)), Err(anyhow::anyhow!("row 2 is damaged"))].into_iter());
        let err = write_object(&mut out, &json!({"a": 1}), vec![("grantList", failing)]).unwrap_err();
        assert_eq!(err.to_string(), "row 2 is damaged");
    }
}

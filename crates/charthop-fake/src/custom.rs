//! The org's own person fields the fake serves: ChartHop lets an org define fields of its
//! own, which the person list returns by their code like any other field.

use charthop_domain::Person;
use serde_json::{Value, json};

/// The codes of the fake's custom person fields: `shirtSize` (text) and `fte` (a number).
pub const CUSTOM_FIELD_CODES: [&str; 2] = ["shirtSize", "fte"];

/// The value the fake serves for `code` (case-insensitive): persons in a job have an `fte`;
/// most of them have a `shirtSize`; others have neither (the key is left out).
pub fn custom_field(person: &Person, code: &str) -> Option<Value> {
    person.job_id.as_ref()?;
    let seed = person.id.bytes().fold(0u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(b)));
    if code.eq_ignore_ascii_case("shirtSize") {
        const SIZES: [&str; 5] = ["S", "M", "L", "XL", ""];
        let size = SIZES[(seed % 5) as usize];
        return (!size.is_empty()).then(|| json!(size));
    }
    if code.eq_ignore_ascii_case("fte") {
        return Some(if seed % 7 == 0 { json!(0.5) } else { json!(1) });
    }
    None
}

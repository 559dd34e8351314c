//! Property tests of the page and row decoder: arbitrary JSON values, and valid pages mutated
//! field by field and byte by byte, give `Ok` or `Err`, never a panic; a page whose rows or
//! cursor lost their shape is never accepted. Seeded, so a failure replays.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use charthop_client::decode_page_for_fuzzing as decode;

const CASES: u64 = 3_000;

fn arbitrary(rng: &mut StdRng, depth: u32) -> Value {
    let leaf = depth == 0 || rng.random_bool(0.4);
    match rng.random_range(0..if leaf { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => json!(rng.random::<i64>()),
        3 => json!(rng.random::<f64>() * 1e6),
        4 => Value::String(text(rng)),
        5 => Value::Array((0..rng.random_range(0..5)).map(|_| arbitrary(rng, depth - 1)).collect()),
        _ => {
            let keys =
                ["id", "data", "next", "groupIds", "name", "name.first", "type", "startDate", "createAt"];
            let mut map = Map::new();
            for _ in 0..rng.random_range(0..6) {
                let key = if rng.random_bool(0.7) {
                    keys[rng.random_range(0..keys.len())].to_owned()
                } else {
                    text(rng)
                };
                map.insert(key, arbitrary(rng, depth - 1));
            }
            Value::Object(map)
        }
    }
}

fn text(rng: &mut StdRng) -> String {
    let pool =
        ["", "a", "p1", "2024-02-30", "2020-01-02T03:04:05Z", "é", "\u{0}", "  ", "g1,g2", "10000000000000"];
    pool[rng.random_range(0..pool.len())].to_owned()
}

fn valid_page() -> Value {
    json!({
        "data": [
            {"id": "p1", "name": {"first": "Ada"}, "groupIds": ["g1"], "startDate": "2020-01-02",
             "createAt": "2020-01-02T03:04:05Z", "type": "t1", "managerIds": ["p0"]},
            {"id": 2, "name.first": "Bo", "contact.workEmail": "bo@example.com", "groupIds": []}
        ],
        "next": "p2"
    })
}

/// How many values `value` holds, itself included: the spots a mutation can land on.
fn spots(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(spots).sum(),
        Value::Object(map) => map.values().map(spots).sum(),
        _ => 0,
    }
}

fn mutate(rng: &mut StdRng, page: &mut Value) {
    let target = rng.random_range(0..spots(page));
    let replacement = arbitrary(rng, 2);
    replace_nth(page, target, replacement, &mut 0);
}

fn replace_nth(value: &mut Value, target: usize, replacement: Value, seen: &mut usize) -> bool {
    if *seen == target {
        *value = replacement;
        return true;
    }
    *seen += 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| replace_nth(v, target, replacement.clone(), seen)),
        Value::Object(map) => map.values_mut().any(|v| replace_nth(v, target, replacement.clone(), seen)),
        _ => false,
    }
}

/// `null` or an array of non-blank strings: what a person row may carry.
fn group_ids_ok(ids: &Value) -> bool {
    let id_ok = |id: &Value| id.as_str().is_some_and(|s| !s.trim().is_empty());
    ids.is_null() || ids.as_array().is_some_and(|ids| ids.iter().all(id_ok))
}

#[test]
fn arbitrary_json_never_panics() {
    let mut rng = StdRng::seed_from_u64(8);
    for _ in 0..CASES {
        let value = arbitrary(&mut rng, 4);
        let bytes = serde_json::to_vec(&value).unwrap();
        if let Ok(rows) = decode(&bytes) {
            assert!(value["data"].is_array(), "accepted without a data array: {value}");
            assert_eq!(rows, value["data"].as_array().unwrap().len());
        }
    }
}

#[test]
fn mutated_valid_pages_never_panic_and_lost_shapes_are_refused() {
    assert_eq!(decode(&serde_json::to_vec(&valid_page()).unwrap()), Ok(2));
    let mut rng = StdRng::seed_from_u64(9);
    for _ in 0..CASES {
        let mut page = valid_page();
        for _ in 0..rng.random_range(1..4) {
            mutate(&mut rng, &mut page);
        }
        let result = decode(&serde_json::to_vec(&page).unwrap());
        let next_ok = matches!(page.get("next"), None | Some(Value::Null | Value::String(_)));
        if !page.is_object() || !page["data"].is_array() || !next_ok {
            assert!(result.is_err(), "accepted {page}");
        }
        if let Some(Value::Array(rows)) = page.get("data") {
            let bad_groups = rows.iter().any(|row| row.get("groupIds").is_some_and(|ids| !group_ids_ok(ids)));
            if bad_groups
                && rows.iter().all(|r| r.get("id").is_some_and(|id| id.is_string() || id.is_number()))
            {
                assert!(result.is_err(), "groupIds of a wrong shape accepted: {page}");
            }
        }
    }
}

#[test]
fn mutated_bytes_never_panic() {
    let valid = serde_json::to_vec(&valid_page()).unwrap();
    let mut rng = StdRng::seed_from_u64(10);
    for _ in 0..CASES {
        let mut bytes = valid.clone();
        match rng.random_range(0..3) {
            0 => bytes.truncate(rng.random_range(0..valid.len())),
            1 => {
                let at = rng.random_range(0..bytes.len());
                bytes[at] = rng.random();
            }
            _ => {
                let at = rng.random_range(0..bytes.len());
                bytes.insert(at, b"{}[]\",:0"[rng.random_range(0..8)]);
            }
        }
        let _ = decode(&bytes);
    }
}

//! The decoder's acceptance rules written out on their own (the oracle the properties compare
//! the decoder with), and the strategies that make ChartHop-shaped JSON and mutate it.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use serde_json::{Map, Number, Value, json};

/// `default_cases` unless `PROPTEST_CASES` is set; no regression files written into the tree.
pub fn config(default_cases: u32) -> Config {
    let mut config = Config { failure_persistence: None, ..Config::default() };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    config
}

pub fn valid_page() -> Value {
    json!({
        "data": [
            {"id": "p1", "name": {"first": "Ada"}, "groupIds": ["g1"], "startDate": "2020-01-02",
             "createAt": "2020-01-02T03:04:05Z", "type": "t1", "managerIds": ["p0"]},
            {"id": 2, "name.first": "Bo", "contact.workEmail": "bo@example.com", "groupIds": []}
        ],
        "next": "p2"
    })
}

// ---- the oracle ----

enum Field<'a> {
    Absent,
    One(&'a Value),
    /// The key twice in different cases: which one counts is the decoder's choice.
    Ambiguous,
}

/// Keys match case-insensitively, as in the decoder.
fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Field<'a> {
    let mut found = map.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
    match (found.next(), found.next()) {
        (None, _) => Field::Absent,
        (Some((_, value)), None) => Field::One(value),
        _ => Field::Ambiguous,
    }
}

/// A non-blank string, a number, or an object with such an `id`.
fn usable_id(value: &Value) -> Option<bool> {
    match value {
        Value::String(s) => Some(!s.trim().is_empty()),
        Value::Number(_) => Some(true),
        Value::Object(inner) => match field(inner, "id") {
            Field::Absent => Some(false),
            Field::One(id) => usable_id(id),
            Field::Ambiguous => None,
        },
        _ => Some(false),
    }
}

/// `null` or an array of non-blank strings: what a person row may carry.
fn group_ids_ok(ids: &Value) -> bool {
    let id_ok = |id: &Value| id.as_str().is_some_and(|s| !s.trim().is_empty());
    ids.is_null() || ids.as_array().is_some_and(|ids| ids.iter().all(id_ok))
}

/// Whether a row must be accepted (`Some(true)`) or refused (`Some(false)`).
fn row_ok(row: &Value) -> Option<bool> {
    let Value::Object(map) = row else { return Some(false) };
    let id = match field(map, "id") {
        Field::Absent => Some(false),
        Field::One(id) => usable_id(id),
        Field::Ambiguous => None,
    };
    let groups = match field(map, "groupIds") {
        Field::Absent => Some(true),
        Field::One(ids) => Some(group_ids_ok(ids)),
        Field::Ambiguous => None,
    };
    match (id, groups) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// What the decoder must answer for `page`: the row count, a refusal, or `None` when a key
/// it reads appears in two cases. Every other field is lenient: a wrong shape reads as absent.
pub fn expected(page: &Value) -> Option<Result<usize, ()>> {
    // Deeper than this, the JSON parser's nesting limit (128) decides; a property of its own.
    if depth(page) > 100 {
        return None;
    }
    let Value::Object(map) = page else { return Some(Err(())) };
    match field(map, "next") {
        Field::Ambiguous => return None,
        Field::One(next) if !(next.is_null() || next.is_string()) => return Some(Err(())),
        _ => {}
    }
    let rows = match field(map, "data") {
        Field::Ambiguous => return None,
        Field::One(Value::Array(rows)) => rows,
        _ => return Some(Err(())),
    };
    let verdicts: Vec<_> = rows.iter().map(row_ok).collect();
    if verdicts.contains(&Some(false)) {
        Some(Err(()))
    } else if verdicts.contains(&None) {
        None
    } else {
        Some(Ok(rows.len()))
    }
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

// ---- strategies ----

/// Keys the decoder reads (some in other cases) and a few it ignores.
const KEYS: &[&str] = &[
    "id",
    "ID",
    "data",
    "Data",
    "next",
    "NEXT",
    "groupIds",
    "GROUPIDS",
    "name",
    "name.first",
    "type",
    "startDate",
    "createAt",
    "managerIds",
    "contact",
];

const TEXTS: &[&str] = &[
    "",
    "a",
    "p1",
    "2024-02-30",
    "2020-01-02T03:04:05Z",
    "é",
    "\u{0}",
    "  ",
    "g1,g2",
    "10000000000000",
    "\u{202e}gnp.exe",
    "\u{feff}",
    "🦀",
    "\u{1b}[31m",
    "\t\r\n",
    "\u{fffd}",
    "\u{10ffff}",
];

/// Short texts: ChartHop-ish values, any Unicode, and control characters.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(TEXTS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => prop::collection::vec(prop::char::range('\0', '\u{1f}'), 0..4).prop_map(String::from_iter),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![7 => prop::sample::select(KEYS).prop_map(str::to_owned), 3 => text()]
}

/// Any number, the extremes included (NaN and infinities have no JSON form: `null`).
pub fn number() -> impl Strategy<Value = Value> {
    let extreme = [u64::MAX as f64, i64::MIN as f64, f64::MAX, f64::MIN, f64::MIN_POSITIVE, 1e308, -0.0];
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(extreme.to_vec()).prop_map(Value::from),
    ]
}

/// Any JSON value a few levels deep, its objects mostly keyed like ChartHop rows.
pub fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Something page-shaped: a `data` of arbitrary rows, maybe a `next`, maybe other keys.
pub fn page() -> impl Strategy<Value = Value> {
    let rows = prop::collection::vec(json(), 0..5);
    let extra = prop::collection::vec((key(), json()), 0..3);
    (rows, prop::option::of(json()), extra).prop_map(|(rows, next, extra)| {
        let mut map: Map<String, Value> = extra.into_iter().collect();
        map.insert("data".into(), Value::Array(rows));
        if let Some(next) = next {
            map.insert("next".into(), next);
        }
        Value::Object(map)
    })
}

/// One change to a page, aimed at a value picked by `Index` among those the page holds.
#[derive(Debug, Clone)]
pub enum Mutation {
    Replace(Index, Value),
    /// Removes a key from an object.
    Delete(Index),
    /// The value becomes one of the next kind (null, bool, number, string, array, object).
    Retype(Index),
    /// Adds (or overwrites) a key of an object.
    Insert(Index, String, Value),
    /// Wraps the value in `depth` arrays or single-key objects.
    Nest(Index, usize, bool),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<Index>;
    prop_oneof![
        (at(), json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        at().prop_map(Mutation::Delete),
        at().prop_map(Mutation::Retype),
        (at(), key(), json()).prop_map(|(i, k, v)| Mutation::Insert(i, k, v)),
        (at(), 1..40usize, any::<bool>()).prop_map(|(i, d, arrays)| Mutation::Nest(i, d, arrays)),
    ]
}

/// JSON pointers to every value in `value`, itself last.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                pointers(item, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

pub fn apply(page: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(page, String::new(), &mut all);
    let objects: Vec<_> = all.iter().filter(|p| page.pointer(p).is_some_and(Value::is_object)).collect();
    let target = |at: &Index, among: &[&String]| among[at.index(among.len())].clone();
    let every: Vec<&String> = all.iter().collect();
    match mutation {
        Mutation::Replace(at, value) => *page.pointer_mut(&target(at, &every)).unwrap() = value.clone(),
        Mutation::Retype(at) => {
            let spot = page.pointer_mut(&target(at, &every)).unwrap();
            *spot = retype(spot.take());
        }
        Mutation::Nest(at, depth, arrays) => {
            let spot = page.pointer_mut(&target(at, &every)).unwrap();
            let mut value = spot.take();
            for _ in 0..*depth {
                value = if *arrays { json!([value]) } else { json!({ "k": value }) };
            }
            *spot = value;
        }
        // The page itself was replaced by a scalar or an empty array: nothing to change.
        Mutation::Delete(_) | Mutation::Insert(..) if objects.is_empty() => {}
        Mutation::Delete(at) => {
            let Value::Object(map) = page.pointer_mut(&target(at, &objects)).unwrap() else { unreachable!() };
            if !map.is_empty() {
                let key = map.keys().nth(at.index(map.len())).unwrap().clone();
                map.remove(&key);
            }
        }
        Mutation::Insert(at, key, value) => {
            let Value::Object(map) = page.pointer_mut(&target(at, &objects)).unwrap() else { unreachable!() };
            map.insert(key.clone(), value.clone());
        }
    }
}

fn retype(value: Value) -> Value {
    match value {
        Value::Null => Value::Bool(true),
        Value::Bool(b) => Value::from(u8::from(b)),
        Value::Number(n) => Value::String(n.to_string()),
        Value::String(s) => json!([s]),
        Value::Array(items) => {
            Value::Object(items.into_iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect())
        }
        Value::Object(_) => Value::Null,
    }
}

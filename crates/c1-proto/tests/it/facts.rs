//! Every field of every message in the proto subset, held to the table of field facts in
//! `docs/c1-wire.md` ("Field facts", written from the public baton-sdk protos). Both ways: a
//! field the subset declares must be in the table with the same number and type, and every row
//! of the table must be declared. An edit that invents a number, or adds a field without
//! writing down where it comes from, fails here.

use std::collections::BTreeSet;

use c1_proto::json::descriptor_pool;
use prost_reflect::{Cardinality, FieldDescriptor, Kind};

const SECTION: &str = "## Field facts";

/// One row: (message, field, number, type), the type as written in a `.proto`
/// (`repeated` first when repeated; message and enum types by full name).
type Fact = (String, String, u32, String);

fn declared() -> BTreeSet<Fact> {
    let pool = descriptor_pool();
    pool.all_messages()
        .filter(|message| message.full_name().starts_with("c1."))
        .flat_map(|message| {
            let name = message.full_name().to_owned();
            let fields: Vec<Fact> = message
                .fields()
                .map(|field| (name.clone(), field.name().to_owned(), field.number(), type_of(&field)))
                .collect();
            fields
        })
        .collect()
}

fn type_of(field: &FieldDescriptor) -> String {
    let base = match field.kind() {
        Kind::Message(message) if message.is_map_entry() => {
            let fields: Vec<FieldDescriptor> = message.fields().collect();
            return format!("map<{}, {}>", scalar_or_name(&fields[0]), scalar_or_name(&fields[1]));
        }
        _ => scalar_or_name(field),
    };
    if field.cardinality() == Cardinality::Repeated { format!("repeated {base}") } else { base }
}

fn scalar_or_name(field: &FieldDescriptor) -> String {
    match field.kind() {
        Kind::Message(message) => message.full_name().to_owned(),
        Kind::Enum(enumeration) => enumeration.full_name().to_owned(),
        scalar => format!("{scalar:?}").to_ascii_lowercase(),
    }
}

fn written_down() -> BTreeSet<Fact> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/c1-wire.md");
    let document = std::fs::read_to_string(path).expect("docs/c1-wire.md is in the repository");
    let (_, section) = document.split_once(SECTION).expect("docs/c1-wire.md has a '## Field facts' section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> =
                line.trim_matches('|').split('|').map(|c| c.trim().trim_matches('`')).collect();
            let [message, field, number, ty] = cells.as_slice() else {
                panic!("a row of other than 4 cells: {line}")
            };
            let number = number.parse().unwrap_or_else(|_| panic!("not a field number: {line}"));
            ((*message).to_owned(), (*field).to_owned(), number, (*ty).to_owned())
        })
        .collect()
}

#[test]
fn every_declared_field_is_a_written_down_fact() {
    let (declared, written) = (declared(), written_down());
    let invented: Vec<_> = declared.difference(&written).collect();
    let missing: Vec<_> = written.difference(&declared).collect();
    assert!(
        invented.is_empty() && missing.is_empty(),
        "fields declared in proto/ but not in docs/c1-wire.md's field facts (or with another number or type): \
         {invented:#?}\nfacts no proto declares: {missing:#?}"
    );
}

/// Prints the table for the declared subset (`cargo test -p c1-proto -- --ignored --nocapture
/// print_field_facts`), to paste after checking each row against the public protos.
#[test]
#[ignore]
fn print_field_facts() {
    println!("| message | field | number | type |\n|---|---|---|---|");
    for (message, field, number, ty) in declared() {
        println!("| `{message}` | `{field}` | {number} | `{ty}` |");
    }
}

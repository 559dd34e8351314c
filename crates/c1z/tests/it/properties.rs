//! Property tests of the reader: arbitrary bytes and mutated valid files (the compressed file
//! and the database inside it) give an error or a result, never a panic. Allocation stays
//! bounded by construction: every read goes through an 8 MiB cap on the decompressed database
//! and SQLite's length limit, and the test checks the decompressed copy is gone afterwards.

use std::sync::LazyLock;

use c1z::C1zWriter;
use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::model::{fixed_options, org};
use crate::support::{c1z_bytes, decompress, dir_entries};

/// A valid file and the database inside it, built once.
static VALID: LazyLock<(Vec<u8>, Vec<u8>)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(6, 2).write(&mut writer).expect("writes");
    writer.finish().expect("finishes");
    (std::fs::read(&target).expect("reads"), decompress(&target))
});

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Truncate { at: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Overwrite { at: usize, bytes: Vec<u8> },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip { at, bit } => {
                if let Some(b) = bytes.get_mut(at % len) {
                    *b ^= 1 << bit;
                }
            }
            Mutation::Truncate { at } => bytes.truncate(at % len),
            Mutation::Insert { at, bytes: new } => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Overwrite { at, bytes: new } => {
                let at = at % len;
                for (i, b) in new.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + i) {
                        *slot = *b;
                    }
                }
            }
        }
    }
    bytes
}

/// Reads `bytes`; the answer may be anything but a panic, and nothing is left behind.
fn read(bytes: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let _answer = c1z::fuzz::read_everything(bytes, dir.path());
    assert_eq!(dir_entries(dir.path()), ["input.c1z"], "the decompressed copy is removed");
}

fn config() -> Config {
    Config { cases: 256, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_are_refused_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read(&bytes);
        let mut framed = c1z::MAGIC.to_vec();
        framed.extend(&bytes);
        read(&framed);
    }

    #[test]
    fn a_mutated_file_never_panics(mutations in prop::collection::vec(mutation(), 1..4)) {
        read(&mutate(VALID.0.clone(), &mutations));
    }

    #[test]
    fn a_mutated_database_never_panics(mutations in prop::collection::vec(mutation(), 1..6)) {
        read(&c1z_bytes(&mutate(VALID.1.clone(), &mutations)));
    }
}

#[test]
fn the_unmutated_file_reads_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rows = c1z::fuzz::read_everything(&VALID.0, dir.path()).expect("a valid file");
    // 2 types, 2 groups + 6 persons, 2 entitlements, 6 grants.
    assert_eq!(rows, 2 + 8 + 2 + 6);
}

//! Any bytes as the SQLite database inside a `.c1z`: framed with the magic and compressed
//! here, so the fuzzer's mutations land past zstd, in SQLite and the protobuf rows.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|database: &[u8]| {
    let mut file = c1z::MAGIC.to_vec();
    file.extend(zstd::bulk::compress(database, 1).expect("zstd compresses any bytes"));
    let dir = tempfile::tempdir().expect("a temp dir for the input and its decompressed copy");
    let _ = c1z::fuzz::read_everything(&file, dir.path());
});

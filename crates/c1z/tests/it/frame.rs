//! The published bytes: magic, then exactly one zstd frame with content size and checksum.

use std::fs;

use c1z::{C1zReader, C1zWriter, ReaderOptions, WriterOptions};
use zstd::zstd_safe;

use crate::model::{fixed_options, org};
use crate::support::dir_entries;

#[test]
fn one_frame_with_content_size_and_checksum() {
    for level in [1, 3, 19] {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("sync.c1z");
        let mut writer =
            C1zWriter::create(&target, WriterOptions { compression_level: level, ..fixed_options() })
                .expect("creates");
        org(40, 3).write(&mut writer).expect("writes");
        let summary = writer.finish().expect("finishes");

        let bytes = fs::read(&target).expect("reads");
        assert_eq!(&bytes[..5], b"C1ZF\0");
        let frame = &bytes[5..];
        assert_eq!(zstd_safe::find_frame_compressed_size(frame), Ok(frame.len()), "level {level}: one frame");
        assert_eq!(
            zstd_safe::get_frame_content_size(frame).ok(),
            Some(Some(summary.raw_bytes)),
            "level {level}"
        );
        // Frame header descriptor (after the 4-byte zstd magic): bit 2 is the checksum flag.
        assert_eq!(frame[4] & 0b100, 0b100, "level {level}: checksum flag");
        assert_eq!(zstd::stream::decode_all(frame).expect("decodes").len() as u64, summary.raw_bytes);
    }
}

#[test]
fn the_reader_cleans_up_its_decompressed_copy() {
    let files = tempfile::tempdir().expect("temp dir");
    let scratch = tempfile::tempdir().expect("temp dir");
    let target = files.path().join("sync.c1z");
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(2, 1).write(&mut writer).expect("writes");
    writer.finish().expect("finishes");

    let options = ReaderOptions { temp_dir: Some(scratch.path().to_path_buf()), ..ReaderOptions::default() };
    let reader = C1zReader::open(&target, options.clone()).expect("opens");
    assert_eq!(dir_entries(scratch.path()).len(), 1, "one decompressed copy, no sidecars");
    drop(reader);
    assert!(dir_entries(scratch.path()).is_empty());

    fs::write(&target, b"C1ZF\0broken").expect("writes");
    C1zReader::open(&target, options).expect_err("corrupt");
    assert!(dir_entries(scratch.path()).is_empty(), "a failed open leaves nothing either");
}

#[test]
fn writer_and_reader_can_move_to_a_blocking_thread() {
    fn is_send<T: Send>() {}
    is_send::<C1zWriter>();
    is_send::<C1zReader>();
}

use std::fs;
use std::path::PathBuf;

use crate::codegen;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn committed_generated_code_matches_proto_files() {
    let root = workspace_root();
    let generated = codegen::generate(&codegen::proto_dir(&root)).expect("proto/ compiles");
    let stale = codegen::stale_files(&codegen::gen_dir(&root), &generated).expect("src/gen is readable");
    assert!(stale.is_empty(), "{} (differs: {})", codegen::STALE_HINT, stale.join(", "));
}

#[test]
fn generation_gives_the_same_bytes_every_time() {
    let proto_dir = codegen::proto_dir(&workspace_root());
    let first = codegen::generate(&proto_dir).expect("proto/ compiles");
    let second = codegen::generate(&proto_dir).expect("proto/ compiles");
    assert_eq!(first, second);
    let names: Vec<_> = first.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "c1.config.v1.rs",
            "c1.connector.v2.rs",
            "c1.connector_wrapper.v1.rs",
            "c1.connectorapi.baton.v1.rs",
            "c1.ratelimit.v1.rs",
            "c1.utls.v1.rs",
            "descriptor.bin",
            "google.rpc.rs"
        ]
    );
}

#[test]
fn stale_check_reports_changed_missing_and_extra_files() {
    let generated = codegen::generate(&codegen::proto_dir(&workspace_root())).expect("proto/ compiles");
    let dir = tempfile::tempdir().expect("temp dir");
    codegen::write(dir.path(), &generated).expect("write generated files");
    assert_eq!(codegen::stale_files(dir.path(), &generated).expect("readable"), Vec::<String>::new());

    fs::write(dir.path().join("google.rpc.rs"), "// edited by hand\n").expect("edit");
    fs::remove_file(dir.path().join("descriptor.bin")).expect("remove");
    fs::write(dir.path().join("leftover.rs"), "").expect("extra");
    let stale = codegen::stale_files(dir.path(), &generated).expect("readable");
    assert_eq!(stale, ["descriptor.bin", "google.rpc.rs", "leftover.rs"]);

    // Writing again repairs everything, including removing the leftover.
    codegen::write(dir.path(), &generated).expect("rewrite");
    assert_eq!(codegen::stale_files(dir.path(), &generated).expect("readable"), Vec::<String>::new());
    assert!(!dir.path().join("leftover.rs").exists());
}

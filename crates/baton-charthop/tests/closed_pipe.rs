//! A reader that stops early (`| head -1`): `diff` still exits 1 when the files differ,
//! `inspect` exits 0.

use std::path::Path;
use std::process::{Command, Stdio};

use c1_proto::connector::v2::{Resource, ResourceId, ResourceType, UserTrait, user_trait};
use c1_proto::pack_any;
use c1z::{C1zWriter, WriterOptions};

fn write(path: &Path, persons: &[&str]) {
    let mut writer = C1zWriter::create(path, WriterOptions::default()).unwrap();
    let rt = ResourceType { id: "person".into(), display_name: "Person".into(), ..Default::default() };
    writer.put_resource_type(&rt).unwrap();
    for name in persons {
        let email = format!("{}@acme.example", name.to_lowercase());
        let user = UserTrait {
            emails: vec![user_trait::Email { address: email, is_primary: true }],
            ..Default::default()
        };
        let resource = Resource {
            id: Some(ResourceId {
                resource_type: "person".into(),
                resource: name.to_lowercase(),
                ..Default::default()
            }),
            display_name: (*name).into(),
            annotations: vec![pack_any(&user)],
            ..Default::default()
        };
        writer.put_resource(&resource).unwrap();
    }
    writer.finish().unwrap();
}

/// The exit code of `baton-charthop ARGS` whose stdout is closed before it writes.
fn exit_code_with_stdout_closed(args: &[&Path]) -> i32 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton-charthop"))
        .args(args)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("Broken pipe") && !stderr.contains("panicked"), "{stderr}");
    output.status.code().unwrap()
}

#[test]
fn diff_exits_1_for_different_files_and_inspect_0_when_the_reader_left() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.c1z"), dir.path().join("new.c1z"));
    // Enough rows that the output outgrows any buffer.
    let many: Vec<String> = (0..3000).map(|i| format!("Person{i}")).collect();
    let names: Vec<&str> = many.iter().map(String::as_str).collect();
    write(&old, &names[..1]);
    write(&new, &names);
    let (diff, inspect) = (Path::new("diff"), Path::new("inspect"));
    assert_eq!(exit_code_with_stdout_closed(&[diff, &old, &new]), 1);
    assert_eq!(exit_code_with_stdout_closed(&[diff, &old, &old]), 0);
    assert_eq!(exit_code_with_stdout_closed(&[inspect, &new]), 0);
}

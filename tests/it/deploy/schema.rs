//! The rendered manifests against the Kubernetes API schemas, offline: `kubernetes-validate`
//! (PyPI) bundles them. Skipped where it is not installed, unless BATON_REQUIRE_SCHEMA_CHECK=1
//! (CI installs it and sets that).

use std::process::Command;

use super::manifests::*;

/// The validator's command: the script on PATH, else the module.
fn validator() -> Option<Command> {
    let found = |mut c: Command| c.arg("--version").output().is_ok_and(|o| o.status.success());
    if found(Command::new("kubernetes-validate")) {
        return Some(Command::new("kubernetes-validate"));
    }
    let mut module = Command::new("python3");
    module.args(["-m", "kubernetes_validate"]);
    let mut probe = Command::new("python3");
    probe.args(["-m", "kubernetes_validate"]);
    found(probe).then_some(module)
}

fn write_rendered(dir: &std::path::Path, variant: &'static str) -> std::path::PathBuf {
    let text: String = render(variant)
        .iter()
        .map(|d| format!("---\n{}", serde_norway::to_string(&d.value).expect("YAML")))
        .collect();
    let path = dir.join(format!("{variant}.yaml"));
    std::fs::write(&path, text).expect("the rendered manifests");
    path
}

#[test]
fn the_rendered_manifests_pass_the_kubernetes_schemas() {
    let Some(mut command) = validator() else {
        let required = std::env::var("BATON_REQUIRE_SCHEMA_CHECK").is_ok_and(|v| v == "1");
        assert!(!required, "kubernetes-validate is not installed (pip install kubernetes-validate)");
        eprintln!("skipped: kubernetes-validate is not installed");
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files: Vec<_> = VARIANTS.into_iter().map(|v| write_rendered(dir.path(), v)).collect();
    let out = command.arg("--strict").args(&files).output().expect("kubernetes-validate runs");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "schema check failed:\n{report}");
    // Four resources passed (a Secret and a Deployment per variant), none skipped.
    assert_eq!(report.matches(" passed for resource ").count(), 4, "{report}");
}

/// The check is a real one: a Deployment with a wrong field type fails it.
#[test]
fn the_schema_check_refuses_a_broken_deployment() {
    let Some(mut command) = validator() else { return };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut docs = render("hardened");
    let deployment = docs.iter_mut().find(|d| d.kind() == "Deployment").expect("a Deployment");
    deployment.value["spec"]["replicas"] = serde_norway::Value::String("two".into());
    let path = dir.path().join("broken.yaml");
    std::fs::write(&path, serde_norway::to_string(&deployment.value).expect("YAML")).expect("written");
    let out = command.arg("--strict").arg(&path).output().expect("kubernetes-validate runs");
    assert!(!out.status.success(), "a string replica count passed the schema check");
}

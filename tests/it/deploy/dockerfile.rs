//! The image: a multi-stage build whose dependencies sit in a layer of their own, OCI labels
//! that agree with the workspace, and a HEALTHCHECK that runs the binary's own probe.

use super::manifests::{binary_version, flags_the_binary_takes};
use crate::harness::workspace_root;

/// The Dockerfile's instructions (keyword upper-cased, arguments), continuations joined.
fn instructions() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(workspace_root().join("deploy/Dockerfile")).expect("deploy/Dockerfile");
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#') && !l.is_empty()) {
        match line.strip_suffix('\\') {
            Some(part) => pending.push_str(part),
            None => {
                pending.push_str(line);
                let (keyword, args) = pending.split_once(' ').unwrap_or((&pending, ""));
                out.push((keyword.to_ascii_uppercase(), args.trim().to_owned()));
                pending.clear();
            }
        }
    }
    out
}

/// The stages, each a list of instructions starting with its FROM.
fn stages() -> Vec<Vec<(String, String)>> {
    let mut stages: Vec<Vec<(String, String)>> = Vec::new();
    for instruction in instructions() {
        if instruction.0 == "FROM" {
            stages.push(Vec::new());
        }
        if let Some(stage) = stages.last_mut() {
            stage.push(instruction);
        }
    }
    stages
}

/// `ARG NAME=default` anywhere in the file.
fn arg_default(name: &str) -> Option<String> {
    instructions().into_iter().find_map(|(k, args)| {
        let (arg, default) = args.split_once('=')?;
        (k == "ARG" && arg == name).then(|| default.to_owned())
    })
}

#[test]
fn the_image_runs_the_binary_as_a_non_root_user() {
    let stages = stages();
    assert!(stages.len() >= 2, "multi-stage build");
    let runtime = stages.last().expect("a runtime stage");
    let user = runtime.iter().rfind(|(k, _)| k == "USER").expect("a USER").1.clone();
    let uid = user.split(':').next().unwrap_or_default().trim();
    assert!(!["root", "0", ""].contains(&uid), "runs as {user}");
    let entrypoint = runtime.iter().find(|(k, _)| k == "ENTRYPOINT").expect("an ENTRYPOINT");
    assert!(entrypoint.1.contains("baton-charthop"), "ENTRYPOINT {}", entrypoint.1);
}

/// In the stage that builds the binary, `cargo build` runs once before any source is copied
/// (on the manifests and stubs), so a source edit reuses the compiled dependencies.
#[test]
fn dependencies_are_built_in_a_layer_of_their_own() {
    let stages = stages();
    let build = stages
        .iter()
        .find(|s| {
            s.iter()
                .any(|(k, a)| k == "RUN" && a.contains("cargo build --release --locked -p baton-charthop"))
        })
        .expect("a stage that builds -p baton-charthop");
    let copy_all =
        build.iter().position(|(k, a)| k == "COPY" && a == ". .").expect("the sources copied whole");
    let first_build =
        build.iter().position(|(k, a)| k == "RUN" && a.contains("cargo build")).expect("a build");
    assert!(first_build < copy_all, "a cargo build before `COPY . .` caches the dependencies");
    let copies_before: Vec<&String> =
        build[..first_build].iter().filter(|(k, _)| k == "COPY").map(|(_, a)| a).collect();
    assert!(!copies_before.is_empty(), "the manifests are copied before the first build");
    // What is copied before must be manifests only: here a skeleton stage made of them.
    for args in copies_before {
        let from = args
            .split_whitespace()
            .find_map(|w| w.strip_prefix("--from="))
            .expect("copied from the skeleton");
        let skeleton =
            stages.iter().find(|s| s[0].1.ends_with(&format!(" AS {from}"))).expect("the skeleton stage");
        let run =
            skeleton.iter().find(|(k, _)| k == "RUN").expect("the skeleton strips the sources").1.clone();
        for kept in ["! -name Cargo.toml", "! -name Cargo.lock", "-delete"] {
            assert!(run.contains(kept), "the skeleton keeps manifests and deletes the rest: {run}");
        }
    }
    let after = &build[copy_all..];
    assert!(
        after.iter().any(|(k, a)| k == "RUN" && a.contains("touch") && a.contains("cargo build")),
        "sources touched then rebuilt, so the stubs' outputs are not reused"
    );
}

#[test]
fn the_image_has_oci_labels_that_agree_with_the_workspace() {
    let stages = stages();
    let runtime = stages.last().expect("a runtime stage");
    let labels: String = runtime.iter().filter(|(k, _)| k == "LABEL").map(|(_, a)| a.as_str()).collect();
    let label = |key: &str| {
        let rest = labels.split(&format!("org.opencontainers.image.{key}=\"")).nth(1);
        rest.and_then(|r| r.split('"').next()).map(str::to_owned)
    };
    assert_eq!(label("title").as_deref(), Some("baton-charthop"));
    assert!(label("description").is_some_and(|d| d.contains("ChartHop")), "{labels}");
    assert!(label("source").is_some_and(|s| !s.is_empty()), "{labels}");
    let cargo = std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(cargo.contains("license = \"Apache-2.0\""), "the workspace's license");
    assert_eq!(label("licenses").as_deref(), Some("Apache-2.0"));
    assert_eq!(label("version").as_deref(), Some("${VERSION}"), "the version comes from ARG VERSION");
    assert!(runtime.iter().any(|(k, a)| k == "ARG" && a == "VERSION"), "ARG VERSION in the runtime stage");
    assert_eq!(arg_default("VERSION"), Some(binary_version()), "the label's default is the binary's release");
}

#[test]
fn the_healthcheck_runs_the_binarys_own_probe() {
    let stages = stages();
    let runtime = stages.last().expect("a runtime stage");
    let check = runtime.iter().find(|(k, _)| k == "HEALTHCHECK").expect("a HEALTHCHECK").1.clone();
    let (_, command) = check.split_once("CMD ").expect("HEALTHCHECK ... CMD");
    let words: Vec<String> = serde_json::from_str(command).expect("the exec form: distroless has no shell");
    assert!(words[0].ends_with("/baton-charthop"), "{words:?}");
    assert_eq!(words[1], "health-check");
    let flags = flags_the_binary_takes(Some("health-check"));
    for word in words.iter().filter(|w| w.starts_with("--")) {
        assert!(flags.contains(word), "health-check lacks {word}");
    }
    let endpoint = words.iter().position(|w| w == "--endpoint").map(|i| words[i + 1].as_str());
    assert_eq!(endpoint, Some("live"), "{words:?}");
    let copied = runtime.iter().any(|(k, a)| k == "COPY" && a.ends_with(&format!(" {}", words[0])));
    assert!(copied, "the HEALTHCHECK runs the binary where it was copied");
}

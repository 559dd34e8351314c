//! Loading the Kubernetes manifests and what the binary reads, for the deploy checks.

use std::path::PathBuf;

use serde::Deserialize;
use serde_norway::Value;

use crate::harness::{Baton, workspace_root};

/// One YAML document of one manifest file.
pub struct Doc {
    pub file: String,
    pub value: Value,
}

impl Doc {
    pub fn kind(&self) -> &str {
        self.value["kind"].as_str().unwrap_or_default()
    }

    pub fn name(&self) -> String {
        format!("{} {} in {}", self.kind(), self.value["metadata"]["name"].as_str().unwrap_or("?"), self.file)
    }
}

pub fn kubernetes_dir() -> PathBuf {
    workspace_root().join("deploy/kubernetes")
}

/// Every document of every `*.yaml` / `*.yml` in deploy/kubernetes (multi-document aware).
pub fn load_all() -> Vec<Doc> {
    let dir = kubernetes_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "yaml" || ext == "yml"))
        .collect();
    files.sort();
    let mut docs = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("manifest reads");
        let file = path.file_name().expect("a file name").to_string_lossy().into_owned();
        for document in serde_norway::Deserializer::from_str(&text) {
            let value = Value::deserialize(document).unwrap_or_else(|e| panic!("{file}: {e}"));
            if !value.is_null() {
                docs.push(Doc { file: file.clone(), value });
            }
        }
    }
    docs
}

pub fn deployments(docs: &[Doc]) -> impl Iterator<Item = &Doc> {
    docs.iter().filter(|d| d.kind() == "Deployment")
}

/// Containers and init containers of a Deployment's pod template.
pub fn containers(deployment: &Doc) -> Vec<&Value> {
    let spec = &deployment.value["spec"]["template"]["spec"];
    ["containers", "initContainers"].into_iter().filter_map(|key| spec[key].as_sequence()).flatten().collect()
}

/// A container's literal `env` value for `name`.
pub fn env_value<'a>(container: &'a Value, name: &str) -> Option<&'a str> {
    container["env"].as_sequence()?.iter().find(|e| e["name"].as_str() == Some(name))?["value"].as_str()
}

/// A mapping's keys as strings (non-string keys are reported as such).
pub fn keys(mapping: &Value) -> Vec<String> {
    mapping
        .as_mapping()
        .map(|m| {
            m.keys()
                .map(|k| k.as_str().map_or_else(|| format!("non-string key {k:?}"), str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The `BATON_*` variables the binary reads: one per flag (as `--help` shows them) plus the
/// few it reads directly.
pub fn variables_the_binary_reads() -> Vec<String> {
    let help = Baton::new().arg("--help").run();
    help.assert_success();
    let mut names: Vec<String> = help
        .stdout
        .split("[env: ")
        .skip(1)
        .filter_map(|rest| rest.split_once(']').map(|(name, _)| name.trim().to_owned()))
        .collect();
    assert!(names.len() >= 10, "--help lists the flags' variables:\n{}", help.stdout);
    names.extend(DIRECT_VARIABLES.iter().map(|v| v.to_string()));
    names
}

/// Read with `std::env::var` in the binary, not through a flag.
pub const DIRECT_VARIABLES: &[&str] = &["BATON_HOST_ID", "BATON_C1_API_HOST", "BATON_CONFIG_PATH"];

/// Every long flag `--help` lists.
pub fn flags_the_binary_takes() -> Vec<String> {
    let help = Baton::new().arg("--help").run();
    help.stdout
        .split_whitespace()
        .filter(|word| word.starts_with("--"))
        .map(|word| word.split(['=', ' ', ',', '[', '<']).next().unwrap_or(word).to_owned())
        .collect()
}

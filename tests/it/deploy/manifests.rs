//! Rendering the kustomize layouts the way `kubectl apply -k` does (resources, `images:`,
//! strategic-merge `patches:`), and what the binary reads, for the deploy checks.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_norway::{Mapping, Value};

use crate::harness::{Baton, workspace_root};

/// The two layouts a user applies, one or the other.
pub const VARIANTS: [&str; 2] = ["base", "hardened"];

/// One rendered resource.
pub struct Doc {
    /// The layout it was rendered for (`base`, `hardened`).
    pub variant: &'static str,
    /// The file it came from, relative to deploy/kubernetes.
    pub file: String,
    pub value: Value,
}

impl Doc {
    pub fn kind(&self) -> &str {
        self.value["kind"].as_str().unwrap_or_default()
    }

    pub fn name(&self) -> String {
        let name = self.value["metadata"]["name"].as_str().unwrap_or("?");
        format!("{} {name} ({} from {})", self.kind(), self.variant, self.file)
    }
}

pub fn kubernetes_dir() -> PathBuf {
    workspace_root().join("deploy/kubernetes")
}

/// Every YAML document of one file (multi-document aware).
pub fn read_documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::Deserializer::from_str(&text)
        .map(|document| Value::deserialize(document).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .filter(|value| !value.is_null())
        .collect()
}

/// The kustomization of a layout directory.
pub fn kustomization(dir: &Path) -> Value {
    let mut docs = read_documents(&dir.join("kustomization.yaml"));
    assert_eq!(docs.len(), 1, "{}: one kustomization", dir.display());
    let k = docs.remove(0);
    assert_eq!(k["kind"].as_str(), Some("Kustomization"), "{}", dir.display());
    // A field this renderer ignores would make the checks test something kubectl never sends.
    for key in keys(&k) {
        assert!(
            ["apiVersion", "kind", "resources", "images", "patches"].contains(&key.as_str()),
            "{}: kustomization field {key} is not rendered by these tests",
            dir.display()
        );
    }
    k
}

/// What `kubectl apply -k deploy/kubernetes/<variant>` would send.
pub fn render(variant: &'static str) -> Vec<Doc> {
    render_dir(variant, &kubernetes_dir().join(variant))
}

/// Both layouts, rendered.
pub fn render_all() -> Vec<Doc> {
    VARIANTS.into_iter().flat_map(render).collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(kubernetes_dir()).unwrap_or(path).display().to_string()
}

fn render_dir(variant: &'static str, dir: &Path) -> Vec<Doc> {
    let k = kustomization(dir);
    let mut docs = Vec::new();
    for resource in k["resources"].as_sequence().into_iter().flatten() {
        let path = dir.join(resource.as_str().expect("a resource path"));
        if path.is_dir() {
            docs.extend(render_dir(variant, &path));
        } else {
            let file = relative(&path);
            docs.extend(read_documents(&path).into_iter().map(|value| Doc {
                variant,
                file: file.clone(),
                value,
            }));
        }
    }
    for image in k["images"].as_sequence().into_iter().flatten() {
        for doc in &mut docs {
            set_image(&mut doc.value, image);
        }
    }
    for patch in k["patches"].as_sequence().into_iter().flatten() {
        assert!(patch["target"].is_null(), "{}: patches are matched by kind and name", dir.display());
        let path = dir.join(patch["path"].as_str().expect("a patch path"));
        for patch in read_documents(&path) {
            let target = docs.iter_mut().find(|d| {
                d.value["kind"] == patch["kind"] && d.value["metadata"]["name"] == patch["metadata"]["name"]
            });
            let target =
                target.unwrap_or_else(|| panic!("{}: patches no resource of the base", path.display()));
            merge(&mut target.value, &patch, "");
        }
    }
    docs
}

/// kustomize's image transformer: `name` matches an image without its tag or digest.
fn set_image(resource: &mut Value, image: &Value) {
    // `get_mut`, not indexing: indexing a missing key would add it (a `spec` to a Secret).
    let spec = resource.get_mut("spec").and_then(|s| s.get_mut("template")).and_then(|t| t.get_mut("spec"));
    let Some(spec) = spec else { return };
    for key in ["containers", "initContainers"] {
        let Some(containers) = spec.get_mut(key).and_then(Value::as_sequence_mut) else { continue };
        for container in containers {
            let current = container["image"].as_str().unwrap_or_default().to_owned();
            let (repository, tag) = split_image(&current);
            if Some(repository) != image["name"].as_str() {
                continue;
            }
            let repository = image["newName"].as_str().unwrap_or(repository);
            let reference = match (image["digest"].as_str(), image["newTag"].as_str()) {
                (Some(digest), _) => format!("{repository}@{digest}"),
                (None, Some(new_tag)) => format!("{repository}:{new_tag}"),
                (None, None) => format!("{repository}{tag}"),
            };
            container["image"] = Value::String(reference);
        }
    }
}

/// An image reference's repository and the rest (`:tag` or `@digest`, or empty).
pub fn split_image(image: &str) -> (&str, &str) {
    if let Some(at) = image.find('@') {
        return image.split_at(at);
    }
    // A colon after the last slash is a tag; one before it is a registry's port.
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_slash..].find(':') {
        Some(colon) => image.split_at(last_slash + colon),
        None => (image, ""),
    }
}

/// The key lists of a pod spec merge by, as Kubernetes' strategic merge patch does.
fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers" | "initContainers" | "env" | "volumes" | "ports" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        _ => None,
    }
}

/// A strategic merge patch: maps merge, keyed lists merge by key, other values are replaced.
pub fn merge(base: &mut Value, patch: &Value, field: &str) {
    match (base, patch) {
        (Value::Mapping(base), Value::Mapping(patch)) => merge_maps(base, patch),
        (Value::Sequence(base), Value::Sequence(patch)) if merge_key(field).is_some() => {
            let key = merge_key(field).expect("checked");
            for item in patch {
                match base.iter_mut().find(|b| b[key] == item[key]) {
                    Some(existing) => merge(existing, item, ""),
                    None => base.push(item.clone()),
                }
            }
        }
        (base, patch) => *base = patch.clone(),
    }
}

fn merge_maps(base: &mut Mapping, patch: &Mapping) {
    for (key, value) in patch {
        let field = key.as_str().unwrap_or_default().to_owned();
        if value.is_null() {
            base.remove(key);
        } else if let Some(existing) = base.get_mut(key) {
            merge(existing, value, &field);
        } else {
            base.insert(key.clone(), value.clone());
        }
    }
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

/// Every long flag `--help` (or `<subcommand> --help`) lists.
pub fn flags_the_binary_takes(subcommand: Option<&str>) -> Vec<String> {
    let mut baton = Baton::new();
    if let Some(subcommand) = subcommand {
        baton = baton.arg(subcommand);
    }
    let help = baton.arg("--help").run();
    help.assert_success();
    help.stdout
        .split_whitespace()
        .filter(|word| word.starts_with("--"))
        .map(|word| word.split(['=', ' ', ',', '[', '<']).next().unwrap_or(word).to_owned())
        .collect()
}

/// The release the binary reports (`baton-charthop 0.1.0 (commit ...)`).
pub fn binary_version() -> String {
    let out = Baton::new().arg("--version").run();
    out.assert_success();
    out.stdout.split_whitespace().nth(1).expect("a version after the name").to_owned()
}

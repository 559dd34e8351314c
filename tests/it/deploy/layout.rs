//! The layout: a base and a hardened overlay that replace each other instead of being applied
//! together, and an image set in one place with a tag that is pulled again.

use super::manifests::*;
use crate::harness::workspace_root;

fn yaml_files(dir: &std::path::Path) -> Vec<String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<String> = entries
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .map(|p| p.file_name().expect("a name").to_string_lossy().into_owned())
        .collect();
    files.sort();
    files
}

/// `kubectl apply -f deploy/kubernetes/` finds nothing to apply, and the overlay folder holds
/// only its kustomization and patches (partial objects), so neither variant can be applied on
/// top of the other by a folder apply.
#[test]
fn no_folder_holds_both_variants() {
    let top = kubernetes_dir();
    assert_eq!(yaml_files(&top), Vec::<String>::new(), "manifests at the top of {}", top.display());
    let hardened = top.join("hardened");
    let k = kustomization(&hardened);
    let patches: Vec<&str> =
        k["patches"].as_sequence().into_iter().flatten().filter_map(|p| p["path"].as_str()).collect();
    for file in yaml_files(&hardened) {
        assert!(
            file == "kustomization.yaml" || patches.contains(&file.as_str()),
            "hardened/{file} is neither the kustomization nor a patch"
        );
    }
    let resources: Vec<&str> =
        k["resources"].as_sequence().expect("resources").iter().filter_map(|r| r.as_str()).collect();
    assert_eq!(resources, ["../base"], "the overlay is the base, patched");
}

/// The variants name the same objects: applying one replaces the other, never runs both.
#[test]
fn the_variants_name_the_same_objects() {
    let names = |variant| {
        let mut names: Vec<String> = render(variant)
            .iter()
            .map(|d| format!("{} {}", d.kind(), d.value["metadata"]["name"].as_str().unwrap_or("?")))
            .collect();
        names.sort();
        names
    };
    let base = names("base");
    assert_eq!(base, ["Deployment baton-charthop", "Secret baton-charthop-secrets"]);
    assert_eq!(names("hardened"), base);
}

#[test]
fn the_image_is_set_once_with_a_tag_that_is_pulled_again() {
    let base_dir = kubernetes_dir().join("base");
    let images = kustomization(&base_dir)["images"].clone();
    let images = images.as_sequence().expect("images: in base/kustomization.yaml");
    assert_eq!(images.len(), 1, "one image");
    let image = &images[0];
    assert!(kustomization(&kubernetes_dir().join("hardened"))["images"].is_null(), "set in the base only");
    let new_name = image["newName"].as_str().expect("newName: the user's repository");
    // The repository is written nowhere else in deploy/.
    for file in ["base/deployment.yaml", "base/secret.yaml", "hardened/deployment-patch.yaml"] {
        let text = std::fs::read_to_string(kubernetes_dir().join(file)).expect("a manifest");
        assert!(!text.contains(new_name), "{file} repeats {new_name}");
    }
    let digest = image["digest"].as_str();
    let tag = image["newTag"].as_str();
    assert!(digest.is_some() || tag.is_some(), "a tag or a digest");
    assert_ne!(tag, Some("latest"), "a versioned tag");
    if digest.is_none() {
        assert_eq!(tag.map(str::to_owned), Some(binary_version()), "the tag is the binary's release");
    }
    for variant in VARIANTS {
        let docs = render(variant);
        let deployment = deployments(&docs).next().expect("a Deployment");
        let main = containers(deployment)[0];
        let reference = main["image"].as_str().expect("an image");
        let (repository, rest) = split_image(reference);
        assert_eq!(repository, new_name, "{}: the kustomization's image", deployment.name());
        let policy = main["imagePullPolicy"].as_str().unwrap_or("IfNotPresent");
        // IfNotPresent keeps a node's old copy of a re-pushed tag; only a digest is immutable.
        assert!(
            policy == "Always" || rest.starts_with("@sha256:"),
            "{}: {reference} with {policy} never pulls a new build",
            deployment.name()
        );
    }
}

#[test]
fn the_deploy_readme_says_which_to_apply() {
    let readme =
        std::fs::read_to_string(workspace_root().join("deploy/README.md")).expect("deploy/README.md");
    for needle in
        ["kubectl apply -k deploy/kubernetes/base", "kubectl apply -k deploy/kubernetes/hardened", "images:"]
    {
        assert!(readme.contains(needle), "deploy/README.md lacks {needle:?}");
    }
}

//! The deploy manifests, rendered as `kubectl apply -k` renders them, would run the binary as
//! built here: every variable they set is one it reads, labels are strings, probes reach the
//! health endpoint, and the hardened variant is locked down yet has somewhere to write.

mod dockerfile;
mod layout;
mod manifests;
mod schema;

use serde_norway::Value;

use self::manifests::*;
use crate::harness::workspace_root;

#[test]
fn every_baton_variable_set_is_one_the_binary_reads() {
    let docs = render_all();
    let known = variables_the_binary_reads();
    let flags = flags_the_binary_takes(None);
    let mut checked = 0;
    let mut unknown = Vec::new();
    let mut check = |name: String, place: String| {
        checked += 1;
        if !known.contains(&name) {
            unknown.push(format!("{name} ({place})"));
        }
    };
    for doc in &docs {
        if doc.kind() == "Secret" {
            for key in keys(&doc.value["stringData"]).into_iter().chain(keys(&doc.value["data"])) {
                if key.starts_with("BATON_") {
                    check(key, doc.name());
                }
            }
        }
    }
    for deployment in deployments(&docs) {
        for container in containers(deployment) {
            for env in container["env"].as_sequence().into_iter().flatten() {
                let name = env["name"].as_str().unwrap_or_default();
                if name.starts_with("BATON_") {
                    check(name.to_owned(), deployment.name());
                }
            }
            for source in container["envFrom"].as_sequence().into_iter().flatten() {
                // Every key of a Secret loaded whole becomes a variable: each must be read.
                let prefix = source["prefix"].as_str().unwrap_or_default();
                let secret = source["secretRef"]["name"].as_str().expect("envFrom names a secretRef");
                let found = docs.iter().find(|d| {
                    d.variant == deployment.variant
                        && d.kind() == "Secret"
                        && d.value["metadata"]["name"].as_str() == Some(secret)
                });
                let found = found.unwrap_or_else(|| {
                    panic!("{} loads Secret {secret}, not in its kustomization", deployment.name())
                });
                for key in keys(&found.value["stringData"]).into_iter().chain(keys(&found.value["data"])) {
                    check(format!("{prefix}{key}"), format!("envFrom {secret} in {}", deployment.name()));
                }
            }
            let words = ["command", "args"].into_iter().filter_map(|k| container[k].as_sequence()).flatten();
            for word in words.filter_map(Value::as_str).filter(|w| w.starts_with("--")) {
                let flag = word.split('=').next().unwrap_or(word);
                assert!(
                    flags.iter().any(|f| f == flag),
                    "{} passes {flag}, which the binary lacks",
                    deployment.name()
                );
            }
        }
    }
    assert_eq!(unknown, Vec::<String>::new(), "variables the binary never reads");
    assert!(checked >= 5, "only {checked} variables found: are the manifests there?");
}

/// The variables read directly (not through a flag) are still read: the list above is not stale.
#[test]
fn the_directly_read_variables_are_in_the_binary_source() {
    let dir = workspace_root().join("crates/baton-charthop/src");
    let source: String = std::fs::read_dir(&dir)
        .expect("binary source")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && !p.ends_with("settings_tests.rs"))
        .map(|p| std::fs::read_to_string(p).expect("source reads"))
        .collect();
    for name in DIRECT_VARIABLES {
        assert!(source.contains(&format!("\"{name}\"")), "{name} is no longer read in {}", dir.display());
    }
}

#[test]
fn the_secret_holds_the_credentials() {
    let docs = render("base");
    let secret = docs.iter().find(|d| d.file == "base/secret.yaml" && d.kind() == "Secret");
    let secret = secret.expect("a Secret in base/secret.yaml");
    let keys = keys(&secret.value["stringData"]);
    for name in ["BATON_CLIENT_ID", "BATON_CLIENT_SECRET", "BATON_API_TOKEN", "BATON_ORG_ID"] {
        assert!(keys.iter().any(|k| k == name), "{} lacks {name}", secret.name());
    }
}

/// Collects every `labels` / `matchLabels` mapping anywhere in a document.
fn label_maps<'a>(value: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Mapping(mapping) => {
            for (key, child) in mapping {
                let key = key.as_str().unwrap_or("?");
                let here = format!("{path}.{key}");
                if key == "labels" || key == "matchLabels" {
                    out.push((here.clone(), child));
                }
                label_maps(child, here, out);
            }
        }
        Value::Sequence(items) => {
            for (i, child) in items.iter().enumerate() {
                label_maps(child, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn label_values_are_strings() {
    let docs = render_all();
    let mut seen = 0;
    for doc in &docs {
        let mut maps = Vec::new();
        label_maps(&doc.value, String::new(), &mut maps);
        for (path, labels) in maps {
            let labels =
                labels.as_mapping().unwrap_or_else(|| panic!("{path} in {} is not a map", doc.name()));
            for (key, value) in labels {
                seen += 1;
                assert!(
                    value.is_string(),
                    "{}: label {key:?} at {path} is {value:?}, not a string",
                    doc.name()
                );
            }
        }
    }
    assert!(seen > 0, "no labels found");
}

#[test]
fn deployments_carry_the_baton_labels_and_a_host_id() {
    let docs = render_all();
    let mut count = 0;
    for deployment in deployments(&docs) {
        count += 1;
        let spec = &deployment.value["spec"];
        for labels in [&deployment.value["metadata"]["labels"], &spec["template"]["metadata"]["labels"]] {
            assert_eq!(labels["baton"].as_str(), Some("true"), "{}", deployment.name());
            for key in ["app", "baton-app"] {
                assert!(
                    labels[key].as_str().is_some_and(|v| !v.is_empty()),
                    "{} lacks {key}",
                    deployment.name()
                );
            }
        }
        let template = &spec["template"]["metadata"]["labels"];
        for (key, value) in spec["selector"]["matchLabels"].as_mapping().expect("a selector") {
            assert_eq!(
                &template[key.as_str().unwrap_or("?")],
                value,
                "{}: selector misses the pod",
                deployment.name()
            );
        }
        let main = containers(deployment)[0];
        assert!(env_value(main, "BATON_HOST_ID").is_some_and(|v| !v.is_empty()), "{}", deployment.name());
    }
    assert!(count >= 2, "the plain and the hardened Deployment");
}

/// The port a probe names: a number, or a container port's name.
fn probe_port(container: &Value, port: &Value) -> Option<u64> {
    port.as_u64().or_else(|| {
        let name = port.as_str()?;
        let ports = container["ports"].as_sequence()?;
        ports.iter().find(|p| p["name"].as_str() == Some(name))?["containerPort"].as_u64()
    })
}

#[test]
fn probes_point_at_the_health_endpoint() {
    let docs_for_paths = render_all();
    for deployment in deployments(&docs_for_paths) {
        let main = containers(deployment)[0];
        for (kind, path) in [("livenessProbe", "/live"), ("readinessProbe", "/ready")] {
            assert_eq!(main[kind]["httpGet"]["path"].as_str(), Some(path), "{}: {kind}", deployment.name());
        }
    }
    let docs = render_all();
    let mut probes = 0;
    for deployment in deployments(&docs) {
        for container in containers(deployment) {
            let who =
                format!("{} container {}", deployment.name(), container["name"].as_str().unwrap_or("?"));
            let health_port: u64 =
                env_value(container, "BATON_HEALTH_CHECK_PORT").map_or(8081, |p| p.parse().expect("a port"));
            for kind in ["livenessProbe", "readinessProbe", "startupProbe"] {
                let probe = &container[kind];
                if probe.is_null() {
                    continue;
                }
                probes += 1;
                assert_eq!(
                    env_value(container, "BATON_HEALTH_CHECK"),
                    Some("true"),
                    "{who}: {kind} needs the endpoint on"
                );
                if let Some(get) = probe["httpGet"].as_mapping().map(|_| &probe["httpGet"]) {
                    assert_eq!(probe_port(container, &get["port"]), Some(health_port), "{who}: {kind} port");
                    let path = get["path"].as_str().unwrap_or_default();
                    assert!(["/live", "/ready", "/health"].contains(&path), "{who}: {kind} path {path}");
                    // The kubelet connects to the pod's address, not to its loopback.
                    let bind = env_value(container, "BATON_HEALTH_CHECK_BIND_ADDRESS").unwrap_or("127.0.0.1");
                    assert!(["0.0.0.0", "::"].contains(&bind), "{who}: {kind} cannot reach {bind}");
                } else if let Some(command) = probe["exec"]["command"].as_sequence() {
                    let words: Vec<&str> = command.iter().filter_map(Value::as_str).collect();
                    assert!(
                        words.first().is_some_and(|w| w.ends_with("baton-charthop")),
                        "{who}: {kind} {words:?}"
                    );
                    assert!(words.contains(&"health-check"), "{who}: {kind} {words:?}");
                } else {
                    panic!("{who}: {kind} is neither httpGet nor an exec of baton-charthop health-check");
                }
            }
        }
    }
    assert!(probes >= 4, "both variants have liveness and readiness probes");
}

/// A mount path of an emptyDir volume that holds `dir`.
fn empty_dir_holding<'a>(deployment: &'a manifests::Doc, container: &'a Value, dir: &str) -> Option<&'a str> {
    let volumes = deployment.value["spec"]["template"]["spec"]["volumes"].as_sequence()?;
    let scratch: Vec<&str> =
        volumes.iter().filter(|v| !v["emptyDir"].is_null()).filter_map(|v| v["name"].as_str()).collect();
    container["volumeMounts"].as_sequence()?.iter().find_map(|mount| {
        let path = mount["mountPath"].as_str()?.trim_end_matches('/');
        let holds = dir == path || dir.starts_with(&format!("{path}/"));
        (holds && scratch.contains(&mount["name"].as_str()?) && mount["readOnly"].as_bool() != Some(true))
            .then_some(path)
    })
}

/// The image's working directory (the last WORKDIR of the Dockerfile).
fn image_workdir() -> String {
    let dockerfile =
        std::fs::read_to_string(workspace_root().join("deploy/Dockerfile")).expect("deploy/Dockerfile");
    dockerfile
        .lines()
        .filter_map(|l| l.trim().strip_prefix("WORKDIR "))
        .next_back()
        .expect("a WORKDIR")
        .trim()
        .to_owned()
}

#[test]
fn the_hardened_variant_is_locked_down_with_a_scratch_working_directory() {
    let docs = render("hardened");
    let hardened = deployments(&docs).next().expect("the hardened Deployment");
    let pod = &hardened.value["spec"]["template"]["spec"];
    let main = containers(hardened)[0];
    let non_root = [&pod["securityContext"], &main["securityContext"]]
        .iter()
        .any(|c| c["runAsNonRoot"].as_bool() == Some(true));
    assert!(non_root, "runAsNonRoot");
    assert_eq!(main["securityContext"]["readOnlyRootFilesystem"].as_bool(), Some(true));

    let work_dir = main["workingDir"].as_str().map_or_else(image_workdir, str::to_owned);
    assert!(
        empty_dir_holding(hardened, main, &work_dir).is_some(),
        "working directory {work_dir} is not an emptyDir"
    );
    // Service mode writes each task's .c1z under the temporary directory.
    let temp_dir = env_value(main, "TMPDIR").unwrap_or("/tmp");
    assert!(
        empty_dir_holding(hardened, main, temp_dir).is_some(),
        "temporary directory {temp_dir} is read-only"
    );
    for kind in ["livenessProbe", "readinessProbe"] {
        assert!(!main[kind].is_null(), "the hardened variant has a {kind}");
    }
    let context = &main["securityContext"];
    assert_eq!(context["allowPrivilegeEscalation"].as_bool(), Some(false));
    let dropped: Vec<&str> = context["capabilities"]["drop"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(dropped, ["ALL"], "every capability dropped");
    assert_eq!(pod["securityContext"]["seccompProfile"]["type"].as_str(), Some("RuntimeDefault"));
    assert_eq!(pod["automountServiceAccountToken"].as_bool(), Some(false));
    // The base's settings survive the patch (lists merged by name, not replaced).
    assert_eq!(env_value(main, "BATON_HEALTH_CHECK"), Some("true"));
    assert!(main["envFrom"].as_sequence().is_some_and(|s| !s.is_empty()), "the Secret still loaded");
}

/// The base itself is not locked down: the overlay is what makes the difference.
#[test]
fn the_base_is_the_plain_variant() {
    let docs = render("base");
    let base = deployments(&docs).next().expect("the base Deployment");
    let main = containers(base)[0];
    assert!(main["securityContext"]["readOnlyRootFilesystem"].is_null(), "{}", base.name());
}

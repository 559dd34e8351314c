//! Facts about this machine for Hello's `os_info`, and the default host id.

use c1_proto::connectorapi::baton::v1::baton_service_hello_request::OsInfo;

/// The hostname: the default `host_id` when the binary gives none.
pub fn default_host_id() -> String {
    hostname()
}

fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .map(|text| text.trim().to_owned())
        .find(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

pub(crate) fn os_info() -> OsInfo {
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    OsInfo {
        hostname: hostname(),
        os: std::env::consts::OS.to_owned(),
        platform: or_unknown(os_release_value(&release, "ID")),
        platform_version: or_unknown(os_release_value(&release, "VERSION_ID")),
        platform_family: platform_family(&release),
        kernel_version: or_unknown(read_trimmed("/proc/sys/kernel/osrelease")),
        kernel_arch: std::env::consts::ARCH.to_owned(),
        virtualization_system: virtualization_system(),
    }
}

/// The distribution family as gopsutil reports it (`debian` for Debian and Ubuntu): the first
/// `ID_LIKE` entry, else `ID`, else the OS. Never empty: C1 refuses a Hello with empty fields.
fn platform_family(release: &str) -> String {
    let like = os_release_value(release, "ID_LIKE");
    let family = like.split_whitespace().next().map(str::to_owned).unwrap_or_default();
    [family, os_release_value(release, "ID")]
        .into_iter()
        .find(|value| !value.is_empty())
        .unwrap_or_else(|| std::env::consts::OS.to_owned())
}

/// The container or hypervisor this runs in, from the marks each leaves; never empty.
fn virtualization_system() -> String {
    let cgroup = std::fs::read_to_string("/proc/1/cgroup").unwrap_or_default();
    let product = read_trimmed("/sys/class/dmi/id/product_name").to_ascii_lowercase();
    let cpuinfo_has_hypervisor = std::fs::read_to_string("/proc/cpuinfo")
        .map(|text| text.lines().any(|line| line.starts_with("flags") && line.contains(" hypervisor")))
        .unwrap_or(false);
    detect_virtualization(&Marks {
        dockerenv: std::path::Path::new("/.dockerenv").exists(),
        containerenv: std::path::Path::new("/run/.containerenv").exists(),
        kubernetes: std::env::var_os("KUBERNETES_SERVICE_HOST").is_some(),
        cgroup: &cgroup,
        product: &product,
        cpuinfo_has_hypervisor,
    })
}

struct Marks<'a> {
    dockerenv: bool,
    containerenv: bool,
    kubernetes: bool,
    cgroup: &'a str,
    product: &'a str,
    cpuinfo_has_hypervisor: bool,
}

fn detect_virtualization(marks: &Marks<'_>) -> String {
    let found = if marks.kubernetes || marks.cgroup.contains("kubepods") {
        "kubernetes"
    } else if marks.dockerenv || marks.cgroup.contains("docker") {
        "docker"
    } else if marks.containerenv {
        "podman"
    } else if marks.cgroup.contains("lxc") {
        "lxc"
    } else if marks.product.contains("kvm") || marks.product.contains("qemu") {
        "kvm"
    } else if marks.product.contains("vmware") {
        "vmware"
    } else if marks.product.contains("virtualbox") {
        "vbox"
    } else if marks.cpuinfo_has_hypervisor {
        "hypervisor"
    } else {
        "none"
    };
    found.to_owned()
}

/// C1 refuses a Hello with empty fields: a fact that cannot be read is said to be unknown.
fn or_unknown(value: String) -> String {
    if value.is_empty() { "unknown".to_owned() } else { value }
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path).map(|text| text.trim().to_owned()).unwrap_or_default()
}

/// A `KEY=value` or `KEY="value"` line of os-release(5).
fn os_release_value(text: &str, key: &str) -> String {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .find(|(name, _)| name.trim() == key)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_bare_os_release_values() {
        let text = "NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"13\"\n";
        assert_eq!(os_release_value(text, "ID"), "debian");
        assert_eq!(os_release_value(text, "VERSION_ID"), "13");
        assert_eq!(os_release_value(text, "ID_LIKE"), "");
    }

    #[test]
    fn platform_family_falls_back_from_id_like_to_id_to_the_os() {
        assert_eq!(platform_family("ID=ubuntu\nID_LIKE=\"debian gnu\"\n"), "debian");
        assert_eq!(platform_family("ID=debian\n"), "debian");
        assert_eq!(platform_family(""), std::env::consts::OS);
    }

    #[test]
    fn virtualization_is_named_from_its_marks_and_never_empty() {
        let none = Marks {
            dockerenv: false,
            containerenv: false,
            kubernetes: false,
            cgroup: "0::/",
            product: "",
            cpuinfo_has_hypervisor: false,
        };
        assert_eq!(detect_virtualization(&none), "none");
        assert_eq!(detect_virtualization(&Marks { dockerenv: true, ..none }), "docker");
        assert_eq!(
            detect_virtualization(&Marks { cgroup: "0::/kubepods/burstable/pod1", ..none }),
            "kubernetes"
        );
        assert_eq!(detect_virtualization(&Marks { product: "kvm", ..none }), "kvm");
        assert_eq!(detect_virtualization(&Marks { cpuinfo_has_hypervisor: true, ..none }), "hypervisor");
    }

    #[test]
    fn every_os_info_field_is_filled() {
        let info = os_info();
        for (name, value) in [
            ("hostname", &info.hostname),
            ("os", &info.os),
            ("platform", &info.platform),
            ("platform_version", &info.platform_version),
            ("platform_family", &info.platform_family),
            ("kernel_version", &info.kernel_version),
            ("kernel_arch", &info.kernel_arch),
            ("virtualization_system", &info.virtualization_system),
        ] {
            assert!(!value.is_empty(), "{name} is empty");
        }
    }
}

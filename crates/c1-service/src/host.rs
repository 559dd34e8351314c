//! Facts about this machine for Hello's `os_info`, and the default host id.

use c1_proto::connectorapi::baton::v1::baton_service_hello_request::OsInfo;

/// The hostname: the default `host_id` when `BATON_HOST_ID` is not set (spec §5.3).
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
        platform: os_release_value(&release, "ID"),
        platform_version: os_release_value(&release, "VERSION_ID"),
        platform_family: os_release_value(&release, "ID_LIKE"),
        kernel_version: read_trimmed("/proc/sys/kernel/osrelease"),
        kernel_arch: std::env::consts::ARCH.to_owned(),
        virtualization_system: String::new(),
    }
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
}

//! `.baton.yaml` is read only when it is small and plain: a size cap, and no anchors or
//! aliases (a few hundred bytes of nested aliases expand to gigabytes in a YAML loader).

use std::io::Read;
use std::path::Path;

use yaml_rust2::Event;
use yaml_rust2::parser::Parser;

/// Larger than any real settings file.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads the file, refusing it past [`MAX_CONFIG_BYTES`] without reading further.
pub fn read_bounded(path: &Path) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    // One byte more than the cap tells "at the cap" from "over it".
    file.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::Error::other(format!(
            "the file is larger than {} KiB, the limit for a settings file",
            MAX_CONFIG_BYTES / 1024
        )));
    }
    Ok(text)
}

/// Checks the YAML events (which never expand aliases) for anchors and aliases.
/// The error is the reason, with its line.
pub fn check_plain(text: &str) -> Result<(), String> {
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| format!("line {}: not valid YAML: {}", e.marker().line(), e.info()))?;
        let anchored = match event {
            Event::StreamEnd => return Ok(()),
            Event::Alias(_) => true,
            Event::Scalar(_, _, anchor, _)
            | Event::SequenceStart(anchor, _)
            | Event::MappingStart(anchor, _) => anchor != 0,
            _ => false,
        };
        if anchored {
            return Err(format!(
                "line {}: YAML anchors and aliases (&name, *name, <<: *name) are not supported in a \
                 settings file; write each value out",
                mark.line()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_settings_pass() {
        assert_eq!(check_plain("org-id: acme\npage-size: 10\n# a comment\n"), Ok(()));
        assert_eq!(check_plain(""), Ok(()));
    }

    #[test]
    fn anchors_and_aliases_are_refused_with_their_line() {
        let err = check_plain("org-id: acme\nfile: &f sync.c1z\n").unwrap_err();
        assert!(err.starts_with("line 2: YAML anchors and aliases"), "{err}");
        let err = check_plain("a: x\nb: y\norg-id: *a\n").unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
    }

    #[test]
    fn an_alias_bomb_is_refused_without_expanding() {
        let mut bomb =
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (name, prev) in
            ["b", "c", "d", "e", "f", "g", "h", "i"].iter().zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            bomb.push_str(&format!(
                "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
        }
        let err = check_plain(&bomb).unwrap_err();
        assert!(err.starts_with("line 1:") && err.contains("not supported"), "{err}");
    }

    #[test]
    fn a_file_over_the_cap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, "#".repeat(MAX_CONFIG_BYTES as usize + 1)).unwrap();
        let err = read_bounded(&path).unwrap_err().to_string();
        assert!(err.contains("larger than 1024 KiB"), "{err}");
        std::fs::write(&path, "#".repeat(MAX_CONFIG_BYTES as usize)).unwrap();
        assert!(read_bounded(&path).is_ok());
    }
}

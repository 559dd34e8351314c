//! Keeps the API token out of text that a server wrote (error bodies echoed into errors).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

const REDACTED: &str = "<redacted>";

/// `text` with every form of `token` a server might echo replaced: the token in any ASCII
/// case, and its base64 (standard and URL-safe, with and without padding).
pub(crate) fn redact(text: &str, token: &str) -> String {
    if token.is_empty() {
        return text.to_owned();
    }
    let mut forms: Vec<String> = vec![token.to_owned()];
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        forms.push(engine.encode(token));
    }
    // Longest first, so a padded form is not left with its padding after the unpadded one.
    forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
    forms.dedup();
    forms.iter().fold(text.to_owned(), |text, form| replace_ignoring_ascii_case(&text, form))
}

fn replace_ignoring_ascii_case(haystack: &str, needle: &str) -> String {
    let (hay, pin) = (haystack.as_bytes(), needle.as_bytes());
    let mut out = String::with_capacity(haystack.len());
    let (mut at, mut copied) = (0, 0);
    while at + pin.len() <= hay.len() {
        // A match starts and ends on character boundaries: non-ASCII bytes compare exactly.
        if hay[at..at + pin.len()].eq_ignore_ascii_case(pin) {
            out.push_str(&haystack[copied..at]);
            out.push_str(REDACTED);
            at += pin.len();
            copied = at;
        } else {
            at += 1;
        }
    }
    out.push_str(&haystack[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_and_base64_form_is_redacted() {
        let token = "Tok-en_5d1e?>~";
        let forms = [
            token.to_owned(),
            token.to_uppercase(),
            token.to_lowercase(),
            STANDARD.encode(token),
            STANDARD_NO_PAD.encode(token),
            URL_SAFE.encode(token),
            URL_SAFE_NO_PAD.encode(token),
        ];
        for form in forms {
            let text = redact(&format!("é bad {form} é"), token);
            assert_eq!(text, "é bad <redacted> é", "{form}");
        }
    }

    #[test]
    fn other_text_is_kept() {
        assert_eq!(redact("nothing to hide", "s3cret"), "nothing to hide");
        assert_eq!(redact("s3cre", "s3cret"), "s3cre");
        assert_eq!(redact("x", ""), "x");
    }
}

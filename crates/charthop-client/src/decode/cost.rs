//! What a body would cost to decode, counted before it is decoded. Held as JSON values, a page
//! takes far more memory than its text: a one-key object such as `{"":0}` (7 bytes) becomes a
//! map node of about 600 bytes. So the body cap alone does not bound memory; this estimate does.

/// Bytes an object costs once decoded (a map node with its first entry), rounded up.
const OBJECT_BYTES: u64 = 768;
/// Bytes any other value costs once decoded (the value and its place in an array or map).
const VALUE_BYTES: u64 = 128;

/// Memory a body would take as JSON values, over-estimated: every object, every value, and the
/// text three times (string contents are copied into the values, then into the decoded rows). Counted in one pass over the bytes, outside strings.
pub(crate) fn decoded_bytes(body: &[u8]) -> u64 {
    let (mut objects, mut values) = (0_u64, 1_u64);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in body {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' => objects += 1,
            // Each separator starts one more value (or member); each opener one more nesting.
            b',' | b'[' | b':' => values += 1,
            _ => {}
        }
    }
    objects * OBJECT_BYTES + values * VALUE_BYTES + 3 * body.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_objects_cost_far_more_than_their_text() {
        let body = format!("[{}]", vec![r#"{"":0}"#; 1000].join(","));
        let cost = decoded_bytes(body.as_bytes());
        assert!(cost > 80 * body.len() as u64, "{cost} for {} bytes", body.len());
    }

    #[test]
    fn separators_inside_strings_are_text() {
        let without_text = |body: &[u8]| decoded_bytes(body) - 3 * body.len() as u64;
        let plain = without_text(br#"{"a":"xxxxxxxxxxxxxxxx"}"#);
        let busy = without_text(br#"{"a":"{,:[\"{,:[{,:"}"#);
        assert_eq!(plain, busy, "both are one object and two values");
    }

    #[test]
    fn a_person_page_costs_a_small_multiple_of_its_text() {
        let row = r#"{"id":"5f0c1e","name":{"first":"Ada","last":"Lovelace"},"contact":{"workEmail":"ada@example.com"},"employeeId":"E-1","startDate":"2020-01-01","groupIds":["g1","g2","g3"]}"#;
        let body = format!(r#"{{"data":[{}],"next":"abc"}}"#, vec![row; 1000].join(","));
        let ratio = decoded_bytes(body.as_bytes()) as f64 / body.len() as f64;
        // Short values make this the dense end of real pages; the budget is 256 MiB at least.
        assert!(ratio < 32.0, "a plausible page estimates at {ratio:.1}x its text");
    }
}

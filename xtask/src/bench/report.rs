//! Formatting of the bench's tables: ratios, seconds, memory.

use std::time::Duration;

/// `value / base` as `3.42x`; `n/a` when the base is zero.
pub fn ratio(value: f64, base: f64) -> String {
    if base <= 0.0 { "n/a".to_owned() } else { format!("{:.2}x", value / base) }
}

pub fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// A table: the first row is the header; the first column is left-aligned, the rest right.
pub fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |c: usize| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns).map(width).collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (cell, &w))| if i == 0 { format!("{cell:<w$}") } else { format!("{cell:>w$}") })
                .collect();
            format!("  {}", cells.join("   ").trim_end())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_have_two_decimals_and_survive_a_zero_base() {
        assert_eq!(ratio(3.0, 2.0), "1.50x");
        assert_eq!(ratio(1.0, 3.0), "0.33x");
        assert_eq!(ratio(5.0, 0.0), "n/a");
    }

    #[test]
    fn units() {
        assert_eq!(seconds(Duration::from_millis(1234)), "1.23 s");
        assert_eq!(mib(1536), "1.5 MiB");
    }

    #[test]
    fn columns_align() {
        let rows = vec![
            vec!["run".to_owned(), "requests".to_owned()],
            vec!["per-person".to_owned(), "2005".to_owned()],
        ];
        assert_eq!(table(&rows), "  run          requests\n  per-person       2005");
    }
}

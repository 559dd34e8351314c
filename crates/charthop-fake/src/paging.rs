//! Cursor pages over rows sorted by id.

use crate::knobs::Knobs;

/// What `from` and `next` mean (ChartHop does not say; each reading is a knob).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagingMode {
    /// Start after `from`; `next` = the page's last row.
    Exclusive,
    /// Start at `from`; `next` = the first row of the following page.
    Inclusive,
    /// Start at `from`; `next` = the page's last row, so pages overlap by one row.
    Overlapping,
}

impl PagingMode {
    pub fn of(knobs: &Knobs) -> Self {
        match (knobs.overlapping_pages, knobs.from_inclusive) {
            (true, _) => PagingMode::Overlapping,
            (false, true) => PagingMode::Inclusive,
            (false, false) => PagingMode::Exclusive,
        }
    }

    /// Requests a complete listing of `rows` rows takes at `size` rows a page (`None` when
    /// it never ends: overlapping pages of one row).
    pub fn page_count(self, rows: usize, size: usize) -> Option<u64> {
        let size = size.max(1);
        if rows <= size {
            return Some(1);
        }
        let pages = match self {
            PagingMode::Exclusive | PagingMode::Inclusive => rows.div_ceil(size),
            PagingMode::Overlapping if size == 1 => return None,
            PagingMode::Overlapping => 1 + (rows - size).div_ceil(size - 1),
        };
        Some(pages as u64)
    }
}

pub(crate) struct Page<'a, T> {
    pub rows: Vec<&'a T>,
    pub next: Option<String>,
}

/// The page of `rows` (sorted by `id`) that `from` and `size` select, counting only rows
/// that `keep` accepts.
pub(crate) fn page<'a, T>(
    rows: &'a [T],
    id: impl Fn(&T) -> &str,
    keep: impl Fn(&T) -> bool,
    from: Option<&str>,
    size: usize,
    mode: PagingMode,
) -> Page<'a, T> {
    let start = match (from, mode) {
        (None, _) => 0,
        (Some(from), PagingMode::Exclusive) => rows.partition_point(|r| id(r) <= from),
        (Some(from), _) => rows.partition_point(|r| id(r) < from),
    };
    let mut taken: Vec<&T> = rows[start..].iter().filter(|r| keep(r)).take(size + 1).collect();
    let next = if taken.len() > size {
        let first_of_next = taken.pop().map(|r| id(r).to_owned());
        match mode {
            PagingMode::Inclusive => first_of_next,
            PagingMode::Exclusive | PagingMode::Overlapping => taken.last().map(|r| id(r).to_owned()),
        }
    } else {
        None
    };
    Page { rows: taken, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{i:03}")).collect()
    }

    fn walk(rows: &[String], size: usize, mode: PagingMode) -> (Vec<String>, u64) {
        let mut seen = Vec::new();
        let mut from: Option<String> = None;
        let mut requests = 0;
        loop {
            requests += 1;
            let p = page(rows, |r| r, |_| true, from.as_deref(), size, mode);
            seen.extend(p.rows.iter().map(|r| r.to_string()));
            match p.next {
                Some(next) => from = Some(next),
                None => return (seen, requests),
            }
        }
    }

    #[test]
    fn exclusive_and_inclusive_visit_each_row_once_in_the_predicted_requests() {
        let rows = ids(10);
        for mode in [PagingMode::Exclusive, PagingMode::Inclusive] {
            for size in [1, 3, 5, 10, 11] {
                let (seen, requests) = walk(&rows, size, mode);
                assert_eq!(seen, rows, "{mode:?} size {size}");
                assert_eq!(Some(requests), mode.page_count(rows.len(), size), "{mode:?} size {size}");
            }
        }
    }

    #[test]
    fn overlapping_pages_repeat_exactly_one_row_each() {
        let rows = ids(10);
        let (seen, requests) = walk(&rows, 4, PagingMode::Overlapping);
        // pages: 0-3, 3-6, 6-9
        assert_eq!(seen.len(), 12);
        assert_eq!(requests, 3);
        assert_eq!(PagingMode::Overlapping.page_count(10, 4), Some(3));
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!(unique, rows);
        assert_eq!(PagingMode::Overlapping.page_count(10, 1), None);
    }

    #[test]
    fn filtered_rows_do_not_count_toward_the_page() {
        let rows = ids(10);
        let p =
            page(&rows, |r| r, |r| r.ends_with(['0', '2', '4', '6', '8']), None, 2, PagingMode::Exclusive);
        assert_eq!(p.rows, ["000", "002"]);
        assert_eq!(p.next.as_deref(), Some("002"));
        let p = page(
            &rows,
            |r| r,
            |r| r.ends_with(['0', '2', '4', '6', '8']),
            Some("002"),
            2,
            PagingMode::Inclusive,
        );
        assert_eq!(p.rows, ["002", "004"]);
        assert_eq!(p.next.as_deref(), Some("006"));
    }
}

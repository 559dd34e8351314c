//! Handing the allocator's free memory back to the system while a sync writes.
//!
//! glibc keeps freed pages resident in the arena of the thread that allocated them, and a sync
//! allocates on several threads (the fetch, the mapping, the writer, SQLite's sorter, zstd's
//! workers), so its RSS creeps up though nothing it holds grows: measured at 300,000 persons,
//! the anonymous memory of the streaming phase rose from 31 to 40 MiB, and the index builds and
//! the compression each added their own on top (peak 60-63 MiB). The writer trims every
//! [`TRIM_EVERY_ROWS`] rows, before the index builds and before the compression: peak 47-48 MiB,
//! the same wall time (51-56 MiB with the trim before the compression alone).

/// Rows written between two trims: about 13,000 persons.
pub(crate) const TRIM_EVERY_ROWS: u64 = 64_000;

/// Returns the pages glibc's allocator holds free to the system (`malloc_trim(0)`). Elsewhere
/// than glibc, nothing: other allocators give large blocks back themselves.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(unsafe_code, reason = "glibc's malloc_trim has no safe wrapper")]
pub(crate) fn release_freed_memory() {
    // SAFETY: malloc_trim takes no pointer and works only on the allocator's own free lists,
    // under the allocator's locks: any thread may call it at any time.
    unsafe { libc::malloc_trim(0) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn release_freed_memory() {}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    fn anonymous_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|line| line.starts_with("RssAnon:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    #[test]
    fn freed_pages_below_a_live_block_go_back_to_the_system() {
        // 64 MiB in 4 KiB blocks, all freed but the last: glibc cannot shrink its heap past a
        // live block, so the freed pages stay resident until a trim. Measured against the
        // blocks' own peak, since another test's sync may trim first.
        let mut blocks: Vec<Vec<u8>> = (0..16 * 1024).map(|i| vec![i as u8 | 1; 4096]).collect();
        let with_blocks = anonymous_kib();
        let last = blocks.pop();
        drop(blocks);
        release_freed_memory();
        let after = anonymous_kib();
        assert!(with_blocks.saturating_sub(after) >= 32 * 1024, "RssAnon {with_blocks} kB -> {after} kB");
        drop(last);
    }
}

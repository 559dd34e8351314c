//! `inspect FILE`: what a `.c1z` holds, as a summary and optional tables or JSON.
//! Everything read from the file is untrusted: decompression is capped, tables escape control
//! characters, and lists are streamed rather than held.

use std::io::Write;

use anyhow::{Result, bail};
use c1_proto::connector::v2::{Entitlement, Grant, Resource};
use c1z::{C1zReader, ReadError, ReaderOptions, SyncRun};
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use crate::cli::InspectArgs;
use crate::inspect_json::{self, RowSource};
use crate::inspect_rows::{Entry, Names, Role};

pub fn run(args: &InspectArgs) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write_report(args, &mut out)?;
    out.flush()?;
    Ok(())
}

fn open(args: &InspectArgs) -> Result<C1zReader> {
    open_file(&args.file, args.max_decompressed_bytes)
}

/// Opens a `.c1z` for reading, its decompression capped at `cap` (default 1 GiB).
pub(crate) fn open_file(path: &std::path::Path, cap: Option<u64>) -> Result<C1zReader> {
    let mut options = ReaderOptions::interactive();
    if let Some(cap) = cap {
        options.max_decoded_bytes = cap;
    }
    match C1zReader::open(path, options) {
        Ok(reader) => Ok(reader),
        // The reader's own message speaks of its API; this one of the flag.
        Err(ReadError::TooLarge { limit, .. }) => {
            Err(DecompressionCap { path: path.display().to_string(), limit }.into())
        }
        Err(error) => Err(anyhow::Error::new(error).context(format!("cannot read {}", path.display()))),
    }
}

/// The file decompresses past the cap (a zstd bomb, or a large file the user may trust).
#[derive(Debug, thiserror::Error)]
#[error("{path} decompresses to more than {limit} bytes, the --max-decompressed-bytes limit")]
pub struct DecompressionCap {
    pub path: String,
    pub limit: u64,
}

pub(crate) fn write_report(args: &InspectArgs, out: &mut impl Write) -> Result<()> {
    let reader = open(args)?;
    if args.syncs {
        return write_syncs(&reader, args, out);
    }
    let sync = pick_sync(&reader, args)?;
    let counts = reader.counts(&sync.id)?;
    // Grants and entitlements name their group and principal by id: looked up here.
    let names = if args.grants || args.entitlements { names(&reader, &sync.id)? } else { Names::default() };
    let filter = &args.filter;
    let names = &names;
    let keep_resource = move |resource: &Resource| filter.matches(&[&Entry::of(resource)]);
    let entitlement_group =
        move |entitlement: &Entitlement| names.get(entitlement.resource.as_ref().and_then(|r| r.id.as_ref()));
    let grant_entries = move |grant: &Grant| {
        let group = names
            .get(grant.entitlement.as_ref().and_then(|e| e.resource.as_ref()).and_then(|r| r.id.as_ref()));
        (group, names.get(grant.principal.as_ref().and_then(|p| p.id.as_ref())))
    };
    let keep_grant = move |grant: &Grant| {
        let (group, principal) = grant_entries(grant);
        filter.matches(&[&group, &principal])
    };
    if args.json {
        let summary = json!({
            "file": args.file.display().to_string(),
            "syncId": sync.id,
            "syncType": sync.sync_type,
            "startedAt": sync.started_at.to_string(),
            "endedAt": sync.ended_at.map(|t| t.to_string()),
            "resourceTypes": counts.resource_types,
            "resources": counts.resources,
            "resourcesByType": counts.resources_by_type,
            "entitlements": counts.entitlements,
            "grants": counts.grants,
        });
        let mut lists: Vec<(&str, RowSource<'_>)> = Vec::new();
        if args.resources {
            let rows =
                reader.resources(&sync.id)?.filter(move |row| row.as_ref().map_or(true, keep_resource));
            lists.push(("resourceList", inspect_json::rows(rows)));
        }
        if args.entitlements {
            let rows = reader.entitlements(&sync.id)?.filter(move |row| {
                row.as_ref().map_or(true, |entitlement| filter.matches(&[&entitlement_group(entitlement)]))
            });
            lists.push(("entitlementList", inspect_json::rows(rows)));
        }
        if args.grants {
            let rows = reader.grants(&sync.id)?.filter(move |row| row.as_ref().map_or(true, keep_grant));
            lists.push(("grantList", inspect_json::rows(rows)));
        }
        return inspect_json::write_object(out, &summary, lists);
    }

    let by_type: Vec<String> =
        counts.resources_by_type.iter().map(|(t, n)| format!("{} {n}", escape(t))).collect();
    let ended = sync.ended_at.map_or_else(|| "unfinished".to_owned(), |t| format!("finished {t}"));
    writeln!(out, "file:           {}", escape(&args.file.display().to_string()))?;
    writeln!(
        out,
        "sync:           {} ({}, started {}, {ended})",
        escape(&sync.id),
        escape(&sync.sync_type),
        sync.started_at
    )?;
    writeln!(out, "resource types: {}", counts.resource_types)?;
    writeln!(out, "resources:      {} ({})", counts.resources, by_type.join(", "))?;
    writeln!(out, "entitlements:   {}", counts.entitlements)?;
    writeln!(out, "grants:         {}", counts.grants)?;
    if args.resources {
        print_table(out, &["TYPE", "NAME", "EMAIL", "STATUS", "ID"], || {
            Ok(reader.resources(&sync.id)?.filter_map(move |resource| {
                let entry = match resource {
                    Ok(resource) => Entry::of(&resource),
                    Err(error) => return Some(Err(error.into())),
                };
                filter.matches(&[&entry]).then(|| {
                    Ok(vec![
                        type_label(&entry),
                        entry.shown_name().to_owned(),
                        entry.email.clone(),
                        entry.status_text(),
                        entry.id.clone(),
                    ])
                })
            }))
        })?;
    }
    if args.entitlements {
        print_table(out, &["GROUP", "GROUP TYPE", "ENTITLEMENT", "ID"], || {
            Ok(reader.entitlements(&sync.id)?.filter_map(move |entitlement| {
                let entitlement = match entitlement {
                    Ok(entitlement) => entitlement,
                    Err(error) => return Some(Err(error.into())),
                };
                let group = entitlement_group(&entitlement);
                filter.matches(&[&group]).then(|| {
                    Ok(vec![
                        group.shown_name().to_owned(),
                        group.group_type.clone(),
                        entitlement.display_name,
                        entitlement.id,
                    ])
                })
            }))
        })?;
    }
    if args.grants {
        print_table(out, &["GROUP", "GROUP TYPE", "PERSON", "EMAIL", "STATUS"], || {
            Ok(reader.grants(&sync.id)?.filter_map(move |grant| {
                let grant = match grant {
                    Ok(grant) => grant,
                    Err(error) => return Some(Err(error.into())),
                };
                let (group, principal) = grant_entries(&grant);
                filter.matches(&[&group, &principal]).then(|| {
                    Ok(vec![
                        group.shown_name().to_owned(),
                        group.group_type.clone(),
                        principal.shown_name().to_owned(),
                        principal.email.clone(),
                        principal.status_text(),
                    ])
                })
            }))
        })?;
    }
    Ok(())
}

/// Every resource of the sync, by id.
fn names(reader: &C1zReader, sync_id: &str) -> Result<Names> {
    let mut names = Names::default();
    for resource in reader.resources(sync_id)? {
        names.insert(Entry::of(&resource?));
    }
    Ok(names)
}

/// `person`; `group TEAM` (the group type, when the group has one).
fn type_label(entry: &Entry) -> String {
    match entry.role {
        Role::Group if !entry.group_type.is_empty() => {
            format!("{} {}", entry.resource_type, entry.group_type)
        }
        _ => entry.resource_type.clone(),
    }
}

/// `inspect syncs`: each sync with its counts; the one C1 and `inspect` read is marked.
fn write_syncs(reader: &C1zReader, args: &InspectArgs, out: &mut impl Write) -> Result<()> {
    let syncs = reader.syncs()?;
    let latest = reader.latest_finished_full_sync()?.map(|sync| sync.id);
    let mut rows = Vec::with_capacity(syncs.len());
    for sync in &syncs {
        let counts = reader.counts(&sync.id)?;
        rows.push((sync, counts, latest.as_deref() == Some(sync.id.as_str())));
    }
    if args.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(sync, counts, read)| {
                json!({
                    "syncId": sync.id,
                    "syncType": sync.sync_type,
                    "startedAt": sync.started_at.to_string(),
                    "endedAt": sync.ended_at.map(|t| t.to_string()),
                    "parentSyncId": sync.parent_sync_id,
                    "resources": counts.resources,
                    "entitlements": counts.entitlements,
                    "grants": counts.grants,
                    "latestFullSync": read,
                })
            })
            .collect();
        let value = json!({ "file": args.file.display().to_string(), "syncs": list });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    writeln!(out, "file: {}", escape(&args.file.display().to_string()))?;
    let header = ["SYNC ID", "TYPE", "STARTED", "FINISHED", "RESOURCES", "GRANTS", "READ"];
    print_table(out, &header, || {
        Ok(rows.iter().map(|(sync, counts, read)| {
            Ok(vec![
                sync.id.clone(),
                sync.sync_type.clone(),
                sync.started_at.to_string(),
                sync.ended_at.map_or_else(|| "unfinished".to_owned(), |t| t.to_string()),
                counts.resources.to_string(),
                counts.grants.to_string(),
                if *read { "latest full (C1 and inspect read it)".to_owned() } else { String::new() },
            ])
        }))
    })
}

fn pick_sync(reader: &C1zReader, args: &InspectArgs) -> Result<SyncRun> {
    let listed = || -> Result<String> {
        let ids: Vec<String> = reader.syncs()?.into_iter().map(|s| escape(&s.id)).collect();
        Ok(if ids.is_empty() { "none".to_owned() } else { ids.join(", ") })
    };
    if let Some(id) = &args.sync_id {
        return match reader.sync(id) {
            Ok(sync) => Ok(sync),
            Err(ReadError::SyncNotFound { .. }) => {
                bail!(
                    "{} holds no sync with id '{}' (its syncs: {})",
                    args.file.display(),
                    escape(id),
                    listed()?
                )
            }
            Err(error) => Err(error.into()),
        };
    }
    if let Some(sync) = reader.latest_finished_full_sync()? {
        return Ok(sync);
    }
    bail!(
        "{} holds no finished full sync (unfinished: {}); pass --sync-id to read one",
        args.file.display(),
        listed()?
    )
}

/// Text from the file as a terminal may show it: control characters (ESC, newlines, ...) and
/// the invisible direction overrides become `\u{1b}`-style escapes.
pub fn escape(text: &str) -> String {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(unsafe_char) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| if unsafe_char(c) { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() })
        .collect()
}

/// Two passes over the rows (widths, then lines), so a table of any length takes the memory
/// of one row.
pub(crate) fn print_table<I>(
    out: &mut impl Write,
    header: &[&str],
    rows: impl Fn() -> Result<I>,
) -> Result<()>
where
    I: Iterator<Item = Result<Vec<String>>>,
{
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows()? {
        for (width, cell) in widths.iter_mut().zip(row?) {
            *width = (*width).max(escape(&cell).width());
        }
    }
    writeln!(out)?;
    write_line(out, &widths, header.iter().map(|h| h.to_string()))?;
    for row in rows()? {
        write_line(out, &widths, row?.iter().map(|cell| escape(cell)))?;
    }
    Ok(())
}

fn write_line(out: &mut impl Write, widths: &[usize], cells: impl Iterator<Item = String>) -> Result<()> {
    let columns = widths.len();
    let cells: Vec<String> = cells
        .zip(widths)
        .enumerate()
        .map(|(i, (cell, width))| {
            if i + 1 == columns {
                cell
            } else {
                // By display width: a CJK character takes two columns, a combining mark none.
                let pad = width.saturating_sub(cell.width());
                format!("{cell}{}", " ".repeat(pad))
            }
        })
        .collect();
    writeln!(out, "{}", cells.join("  "))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(escape("plain Zoë"), "plain Zoë");
        assert_eq!(escape("evil\u{1b}[2Jname"), "evil\\u{1b}[2Jname");
        assert_eq!(escape("two\nlines\t\u{7f}"), "two\\u{a}lines\\u{9}\\u{7f}");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn tables_align_escaped_cells() {
        let rows = vec![vec!["a\u{1b}".to_owned(), "x".to_owned()], vec!["bb".to_owned(), "y".to_owned()]];
        let mut out = Vec::new();
        print_table(&mut out, &["H", "V"], || Ok(rows.clone().into_iter().map(Ok))).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "\nH        V\na\\u{1b}  x\nbb       y\n");
    }
}

#[cfg(test)]
mod file_tests {
    use std::path::{Path, PathBuf};

    use c1_proto::connector::v2::{Resource, ResourceId, ResourceType};
    use c1z::{C1zWriter, WriterOptions};

    use super::*;

    fn write_file(dir: &Path) -> PathBuf {
        let path = dir.join("s.c1z");
        let mut writer = C1zWriter::create(&path, WriterOptions::default()).unwrap();
        let rt = ResourceType { id: "thing".into(), display_name: "Thing".into(), ..Default::default() };
        writer.put_resource_type(&rt).unwrap();
        let id = ResourceId { resource_type: "thing".into(), resource: "r1".into(), ..Default::default() };
        let resource =
            Resource { id: Some(id), display_name: "evil\u{1b}[2Jname".into(), ..Default::default() };
        writer.put_resource(&resource).unwrap();
        writer.finish().unwrap();
        path
    }

    fn args(file: PathBuf) -> InspectArgs {
        InspectArgs {
            file,
            sync_id: None,
            resources: true,
            entitlements: false,
            grants: false,
            json: false,
            max_decompressed_bytes: None,
            filter: Default::default(),
            syncs: false,
        }
    }

    fn report(args: &InspectArgs) -> Result<String> {
        let mut out = Vec::new();
        write_report(args, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn tables_never_print_raw_escapes_and_json_streams_valid_rows() {
        let dir = tempfile::tempdir().unwrap();
        let table = report(&args(write_file(dir.path()))).unwrap();
        assert!(!table.contains('\u{1b}') && table.contains("evil\\u{1b}[2Jname"), "{table}");
        let json = report(&InspectArgs { json: true, ..args(dir.path().join("s.c1z")) }).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).expect(&json);
        assert_eq!(value["resourceList"][0]["displayName"], "evil\u{1b}[2Jname");
        assert!(!json.contains('\u{1b}'));
    }

    #[test]
    fn an_unknown_sync_id_lists_the_syncs_in_user_terms() {
        let dir = tempfile::tempdir().unwrap();
        let file = write_file(dir.path());
        let err = report(&InspectArgs { sync_id: Some("nope".into()), ..args(file) }).unwrap_err();
        let shown = format!("{err:#}");
        assert!(shown.contains("holds no sync with id 'nope' (its syncs: "), "{shown}");
        assert!(!shown.contains("::") && !shown.contains("()"), "{shown}");
    }

    #[test]
    fn the_decompression_cap_names_its_flag() {
        let dir = tempfile::tempdir().unwrap();
        let file = write_file(dir.path());
        let err = report(&InspectArgs { max_decompressed_bytes: Some(1024), ..args(file) }).unwrap_err();
        assert!(err.is::<DecompressionCap>(), "{err:#}");
        assert!(format!("{err:#}").contains("the --max-decompressed-bytes limit"), "{err:#}");
    }
}

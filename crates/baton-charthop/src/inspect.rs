//! `inspect FILE`: what a `.c1z` holds, as a summary and optional tables or JSON.

use std::io::Write;

use anyhow::{Context, Result, bail};
use c1_proto::connector::v2::{
    Entitlement, Grant, Resource, ResourceId, ResourceType, status::ResourceStatus,
};
use c1_proto::prost_types::Any;
use c1z::{C1zReader, ReaderOptions, SyncRun};
use serde_json::{Value, json};

use crate::cli::InspectArgs;

pub fn run(args: &InspectArgs) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write_report(args, &mut out)?;
    out.flush()?;
    Ok(())
}

fn write_report(args: &InspectArgs, out: &mut impl Write) -> Result<()> {
    let reader = C1zReader::open(&args.file, ReaderOptions::default())
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let sync = pick_sync(&reader, args)?;
    let counts = reader.counts(&sync.id)?;
    if args.json {
        let mut summary = json!({
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
        if args.resources {
            summary["resourceList"] = json_rows(reader.resources(&sync.id)?)?;
        }
        if args.entitlements {
            summary["entitlementList"] = json_rows(reader.entitlements(&sync.id)?)?;
        }
        if args.grants {
            summary["grantList"] = json_rows(reader.grants(&sync.id)?)?;
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?;
        return Ok(());
    }

    let by_type: Vec<String> = counts.resources_by_type.iter().map(|(t, n)| format!("{t} {n}")).collect();
    let ended = sync.ended_at.map_or_else(|| "unfinished".to_owned(), |t| format!("finished {t}"));
    writeln!(out, "file:           {}", args.file.display())?;
    writeln!(out, "sync:           {} ({}, started {}, {ended})", sync.id, sync.sync_type, sync.started_at)?;
    writeln!(out, "resource types: {}", counts.resource_types)?;
    writeln!(out, "resources:      {} ({})", counts.resources, by_type.join(", "))?;
    writeln!(out, "entitlements:   {}", counts.entitlements)?;
    writeln!(out, "grants:         {}", counts.grants)?;
    if args.resources {
        let mut rows = vec![row(["TYPE", "ID", "DISPLAY NAME", "STATUS"])];
        for resource in reader.resources(&sync.id)? {
            let resource = resource?;
            let (kind, id) = ids(resource.id.as_ref());
            rows.push(vec![kind, id, resource.display_name.clone(), status(&resource)]);
        }
        print_table(out, &rows)?;
    }
    if args.entitlements {
        let mut rows = vec![row(["ID", "DISPLAY NAME", "RESOURCE"])];
        for entitlement in reader.entitlements(&sync.id)? {
            let entitlement = entitlement?;
            let (kind, id) = ids(entitlement.resource.as_ref().and_then(|r| r.id.as_ref()));
            rows.push(vec![entitlement.id, entitlement.display_name, format!("{kind}:{id}")]);
        }
        print_table(out, &rows)?;
    }
    if args.grants {
        let mut rows = vec![row(["ENTITLEMENT", "PRINCIPAL"])];
        for grant in reader.grants(&sync.id)? {
            let grant = grant?;
            let entitlement = grant.entitlement.map(|e| e.id).unwrap_or_default();
            let (kind, id) = ids(grant.principal.as_ref().and_then(|p| p.id.as_ref()));
            rows.push(vec![entitlement, format!("{kind}:{id}")]);
        }
        print_table(out, &rows)?;
    }
    Ok(())
}

fn pick_sync(reader: &C1zReader, args: &InspectArgs) -> Result<SyncRun> {
    if let Some(id) = &args.sync_id {
        return Ok(reader.sync(id)?);
    }
    if let Some(sync) = reader.latest_finished_full_sync()? {
        return Ok(sync);
    }
    let unfinished: Vec<String> = reader.syncs()?.into_iter().map(|s| s.id).collect();
    bail!(
        "{} holds no finished full sync (unfinished: {}); pass --sync-id to read one",
        args.file.display(),
        if unfinished.is_empty() { "none".to_owned() } else { unfinished.join(", ") }
    )
}

fn json_rows<M, E>(rows: impl Iterator<Item = Result<M, E>>) -> Result<Value>
where
    M: c1_proto::prost::Message + c1_proto::prost::Name + Annotated,
    E: std::error::Error + Send + Sync + 'static,
{
    let mut values = Vec::new();
    for row in rows {
        let mut message = row?;
        // A file from another connector may carry annotations this build has no schema for:
        // those are left out of the JSON rather than failing the whole listing.
        message.retain_known_annotations();
        values.push(c1_proto::json::try_to_json_value(&message).context("cannot show a row as JSON")?);
    }
    Ok(Value::Array(values))
}

/// Messages whose annotations may name types outside this build's protobuf subset.
trait Annotated {
    fn retain_known_annotations(&mut self);
}

fn retain_known(annotations: &mut Vec<Any>) {
    let pool = c1_proto::json::descriptor_pool();
    annotations.retain(|any| {
        let name = any.type_url.rsplit('/').next().unwrap_or_default();
        pool.get_message_by_name(name).is_some()
    });
}

impl Annotated for ResourceType {
    fn retain_known_annotations(&mut self) {
        retain_known(&mut self.annotations);
    }
}

impl Annotated for Resource {
    fn retain_known_annotations(&mut self) {
        retain_known(&mut self.annotations);
    }
}

impl Annotated for Entitlement {
    fn retain_known_annotations(&mut self) {
        retain_known(&mut self.annotations);
        if let Some(resource) = &mut self.resource {
            resource.retain_known_annotations();
        }
    }
}

impl Annotated for Grant {
    fn retain_known_annotations(&mut self) {
        retain_known(&mut self.annotations);
        if let Some(entitlement) = &mut self.entitlement {
            entitlement.retain_known_annotations();
        }
        if let Some(principal) = &mut self.principal {
            principal.retain_known_annotations();
        }
    }
}

fn ids(id: Option<&ResourceId>) -> (String, String) {
    id.map(|id| (id.resource_type.clone(), id.resource.clone())).unwrap_or_default()
}

fn status(resource: &Resource) -> String {
    let Some(status) = &resource.status else { return String::new() };
    let name = match ResourceStatus::try_from(status.status) {
        Ok(ResourceStatus::Enabled) => "enabled",
        Ok(ResourceStatus::Disabled) => "disabled",
        Ok(ResourceStatus::Deleted) => "deleted",
        _ => "unspecified",
    };
    if status.details.is_empty() { name.to_owned() } else { format!("{name} ({})", status.details) }
}

fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn print_table(out: &mut impl Write, rows: &[Vec<String>]) -> std::io::Result<()> {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> =
        (0..columns).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    writeln!(out)?;
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, width))| if i + 1 == columns { cell.clone() } else { format!("{cell:<width$}") })
            .collect();
        writeln!(out, "{}", cells.join("  "))?;
    }
    Ok(())
}

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use c1_mapping::{
    GroupDirectory, PersonExtras, check_group, group_resource, member_entitlement, person_grants,
    person_resource_with,
};
use c1_proto::prost::Message;
use c1z::WriterOptions;
use charthop_client::{ChartHopClient, GroupQuery, Page, PersonQuery, PersonRecord};
use charthop_domain::{Employment, Group, GroupType, GroupTypeIndex};
use futures::TryStreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::coverage::CoverageTracker;
use crate::memberships::complete_page;
use crate::prefetch::prefetch;
use crate::publish::{Ending, publish};
use crate::report::{Coverage, MappingCounts};
use crate::writer_pace::WriterPace;
use crate::writer_thread::{Batch, PersonRow, WriterThread};
use crate::{BaselineCounts, Progress, SyncError, SyncEvent, SyncOptions, SyncReport};

/// Rows per writer batch when writing groups and entitlements.
const GROUP_BATCH: usize = 1000;

/// A batch of persons goes to the writer at this many persons or this many encoded bytes,
/// whichever comes first. With one batch queued, one being written and one being mapped,
/// about 3 MiB of rows wait between the stages, whatever the page size.
pub(crate) const BATCH_PERSONS: usize = 250;
const BATCH_BYTES: usize = 1 << 20;

/// Syncs ChartHop into the `.c1z` at `target`. The target is replaced only when the whole
/// sync succeeded and passed the mass-change guard ([`SyncOptions::max_removed_ratio`]); on
/// error, refusal or cancellation (up to the final rename) it is left as it was and no
/// temporary file stays.
pub async fn sync(
    client: &ChartHopClient,
    target: &Path,
    options: &SyncOptions,
    progress: &dyn Progress,
    cancel: &CancellationToken,
) -> Result<SyncReport, SyncError> {
    let started = Instant::now();
    // A field code that is not a plain one fails here, before the writer or any request.
    options.person_query().fields_param()?;
    // The client may serve other syncs before or beside this one: count only this one's calls.
    let stats_before = client.stats();
    let cancel_flag = Arc::new(AtomicBool::new(false));
    let writer_options = WriterOptions {
        compression_level: options.compression_level,
        cancel: Some(cancel_flag.clone()),
        ..Default::default()
    };
    // Copying the previous sync comes after the last row: indexed tables would slow it down.
    let pace = if options.keep_previous { WriterPace::at_finish() } else { WriterPace::timed() };
    let writer = WriterThread::start(target, writer_options, pace)?;
    let outcome = tokio::select! {
        outcome = read_and_write(client, &writer, options, progress) => outcome,
        () = cancel.cancelled() => Err(SyncError::Cancelled),
    };
    let counters = match outcome {
        Ok(counters) => counters,
        Err(error) => {
            let writer_error = writer.abandon().await;
            // The writer's own error explains a closed channel better than "writer gone".
            return Err(match (error, writer_error) {
                (SyncError::WriterGone, Err(writer_error)) => writer_error,
                (error, _) => error,
            });
        }
    };
    let now = BaselineCounts { persons: counters.persons_by_status.values().sum(), grants: counters.grants };
    let ending = Ending { target, options, now, cancel, cancel_flag: &cancel_flag };
    let (file, comparison) = publish(writer, ending, progress).await?;
    let stats = client.stats().since(&stats_before);
    Ok(SyncReport {
        persons_by_status: counters.persons_by_status,
        departed_excluded: counters.departed_excluded,
        groups_by_type: counters.groups_by_type,
        entitlements: counters.entitlements,
        grants: counters.grants,
        skipped_memberships: counters.skipped_memberships,
        memberships_out_of_scope: counters.memberships_out_of_scope,
        extra_fields_never_seen: counters.extra_fields_never_seen,
        membership_requests: counters.membership_requests,
        duplicate_persons: counters.duplicate_persons,
        requests: stats.requests,
        retries: stats.retries,
        rate_limited: stats.rate_limited,
        rate_limit_wait: stats.rate_limit_wait,
        duration: started.elapsed(),
        file,
        coverage: counters.coverage,
        mapping: counters.mapping,
        comparison,
    })
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    persons_by_status: BTreeMap<String, u64>,
    departed_excluded: u64,
    groups_by_type: BTreeMap<String, u64>,
    entitlements: u64,
    grants: u64,
    skipped_memberships: u64,
    memberships_out_of_scope: u64,
    extra_fields_never_seen: Vec<String>,
    membership_requests: u64,
    duplicate_persons: u64,
    coverage: Coverage,
    mapping: MappingCounts,
}

/// Refused rows logged one by one before a summary takes over.
const REFUSALS_LOGGED: u64 = 20;

async fn read_and_write(
    client: &ChartHopClient,
    writer: &WriterThread,
    options: &SyncOptions,
    progress: &dyn Progress,
) -> Result<Counters, SyncError> {
    let mut counters = Counters::default();
    let resource_types = c1_mapping::resource_types()
        .into_iter()
        .filter(|rt| options.resource_types.includes(&rt.id))
        .collect();
    writer.write(Batch { resource_types, ..Default::default() }).await?;

    // The person listing needs nothing from the groups: its first pages are fetched while the
    // groups are listed (`prefetch::PAGES_AHEAD_AT_START`), so no request waits for another. Not when
    // group types are named: a misspelled one fails the sync before any person is read.
    let early = options.writes_persons() && options.group_types.is_none();
    let pages = early.then(|| prefetch_pages(client, &options.person_query()));
    // Persons need the group index for their profiles even when groups are not written.
    let (types, groups) = list_groups(client).await?;
    let groups = valid_groups(groups, &mut counters.mapping);
    let directory = GroupDirectory::new(&groups);
    // Profiles (a person's department, a group's parent) name every listed group; only the
    // groups in scope are written and granted.
    let in_scope = groups_in_scope(&groups, &types, options.group_types.as_deref())?;
    let scope = Scope { profiles: &directory, grants: &GroupDirectory::new(&in_scope) };
    if options.writes_groups() {
        write_groups(writer, &in_scope, &directory, options, &mut counters).await?;
    }
    progress.event(&SyncEvent::GroupsDone { groups: counters.groups_by_type.values().sum() });
    if options.writes_persons() {
        let pages = pages.unwrap_or_else(|| prefetch_pages(client, &options.person_query()));
        write_persons(client, writer, scope, pages, options, progress, &mut counters).await?;
    }
    log_mapping(&counters.mapping);
    Ok(counters)
}

/// Group types and groups, listed side by side; type ids resolved to names.
pub(crate) async fn list_groups(client: &ChartHopClient) -> Result<(Vec<GroupType>, Vec<Group>), SyncError> {
    let types = client.group_types().try_collect::<Vec<_>>();
    let query = GroupQuery::default();
    let groups = client.groups(&query).try_collect::<Vec<_>>();
    let (types, mut groups) = futures::try_join!(types, groups)?;
    let index = GroupTypeIndex::new(&types);
    for group in &mut groups {
        index.resolve_group(group);
    }
    Ok((types, groups))
}

/// The directories person mapping consults: every listed group for profile texts, the
/// groups in scope for grants.
#[derive(Clone, Copy)]
struct Scope<'a> {
    profiles: &'a GroupDirectory,
    grants: &'a GroupDirectory,
}

/// The groups whose type is one of `wanted` (case-insensitive); every group when `None` or
/// when it names no type (blank names are ignored). A
/// wanted name that is neither a listed group type nor the type of a listed group (legacy
/// data names its type directly) is an error listing the types the org has: a misspelled
/// type must not silently sync no group.
pub(crate) fn groups_in_scope(
    groups: &[Group],
    types: &[GroupType],
    wanted: Option<&[String]>,
) -> Result<Vec<Group>, SyncError> {
    let Some(wanted) = wanted else { return Ok(groups.to_vec()) };
    let mut available: Vec<String> = types.iter().map(|t| t.name.clone()).collect();
    available.extend(groups.iter().filter_map(|g| g.type_name.clone()));
    available.sort_by_key(|name| name.to_ascii_uppercase());
    available.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let wanted: Vec<&str> = wanted.iter().map(|w| w.trim()).filter(|w| !w.is_empty()).collect();
    if wanted.is_empty() {
        return Ok(groups.to_vec());
    }
    let unknown: Vec<String> = wanted
        .iter()
        .filter(|w| !available.iter().any(|a| a.eq_ignore_ascii_case(w)))
        .map(|w| (*w).to_owned())
        .collect();
    if !unknown.is_empty() {
        return Err(charthop_client::Error::UnknownGroupTypes { unknown, available }.into());
    }
    let in_scope =
        |g: &&Group| g.type_name.as_deref().is_some_and(|t| wanted.iter().any(|w| w.eq_ignore_ascii_case(t)));
    Ok(groups.iter().filter(in_scope).cloned().collect())
}

/// Leaves out the groups the mapping refuses, before the directory is built from them: no
/// entitlement or grant may then point at a refused group. A group listed twice is kept
/// once (the first), as two rows with one id would collide in the file.
pub(crate) fn valid_groups(groups: Vec<Group>, counts: &mut MappingCounts) -> Vec<Group> {
    let mut seen = HashSet::new();
    groups
        .into_iter()
        .filter(|group| seen.insert(group.id.clone()))
        .filter(|group| match check_group(group) {
            Ok(()) => true,
            Err(refused) => {
                counts.refused_groups += 1;
                if counts.refused_groups <= REFUSALS_LOGGED {
                    tracing::warn!(group = %refused.id, "{refused}; its memberships are skipped");
                }
                false
            }
        })
        .collect()
}

async fn write_groups(
    writer: &WriterThread,
    groups: &[Group],
    directory: &GroupDirectory,
    options: &SyncOptions,
    counters: &mut Counters,
) -> Result<(), SyncError> {
    for chunk in groups.chunks(GROUP_BATCH) {
        let mut batch = Batch::default();
        for group in chunk {
            let type_name = group.type_name.clone().unwrap_or_else(|| "unknown".into());
            *counters.groups_by_type.entry(type_name).or_default() += 1;
            // `valid_groups` has already refused what the mapping refuses.
            let Ok(resource) = group_resource(group, directory) else { continue };
            counters.mapping.note(&resource.notes);
            batch.resources.push(resource.value);
            if options.writes_entitlements() {
                let Ok(entitlement) = member_entitlement(group, directory) else { continue };
                counters.mapping.note(&entitlement.notes);
                batch.entitlements.push(entitlement.value);
            }
        }
        counters.entitlements += batch.entitlements.len() as u64;
        writer.write(batch).await?;
    }
    Ok(())
}

async fn write_persons(
    client: &ChartHopClient,
    writer: &WriterThread,
    scope: Scope<'_>,
    mut pages: PersonPages,
    options: &SyncOptions,
    progress: &dyn Progress,
    counters: &mut Counters,
) -> Result<(), SyncError> {
    let wants_grants = options.writes_grants();
    let query = options.person_query();
    // Extra field codes that no row has carried yet: a misspelled code, or one the token
    // may not read, gives no value at all.
    let mut never_seen: Vec<&str> = query.extra_fields.iter().map(String::as_str).collect();
    let mut coverage = CoverageTracker::new(query.include_personal_email);
    let mut unknown_groups = UnknownGroups::default();
    let mut page_number = 0;
    let mut persons_written = 0;
    let mut grants_written = 0;
    while let Some(page) = pages.recv().await {
        page_number += 1;
        let mut persons = page?.items;
        // ChartHop may list a person twice when the org changes during the listing: the writer
        // keeps the first row and leaves out the later ones with their grants (the tally below).
        drop_departed(&mut persons, options, counters);
        persons.iter().for_each(|p| coverage.observe_row(&p.person));
        never_seen.retain(|code| !persons.iter().any(|p| p.extra_fields.iter().any(|(c, _)| c == code)));
        if wants_grants {
            counters.membership_requests += complete_page(
                client,
                &mut persons,
                options.membership_source,
                options.membership_concurrency,
                page_number,
            )
            .await?;
        }
        let mut mapper = PersonMapper {
            scope,
            options,
            wants_grants,
            counters: &mut *counters,
            coverage: &mut coverage,
            unknown_groups: &mut unknown_groups,
        };
        // Small batches keep what waits between mapping and the writer small: a page of 1,000
        // persons is several MiB of protobuf values.
        let mut batch = Batch::default();
        let mut bytes = 0;
        for (i, record) in persons.iter().enumerate() {
            bytes += mapper.map(record, &mut batch);
            if batch.resources.len() >= BATCH_PERSONS || bytes >= BATCH_BYTES || i + 1 == persons.len() {
                persons_written += batch.resources.len() as u64;
                grants_written += batch.grants.len() as u64;
                writer.write(std::mem::take(&mut batch)).await?;
                bytes = 0;
            }
        }
        // Repeated persons are left out by the writer: the tally at the end has the exact counts.
        progress.event(&SyncEvent::PersonsProgress { persons: persons_written, grants: grants_written });
    }
    let tally = writer.tally().await?;
    counters.persons_by_status = tally.persons_by_status;
    counters.grants = tally.grants;
    counters.skipped_memberships = tally.skipped_memberships;
    counters.memberships_out_of_scope = tally.out_of_scope;
    counters.duplicate_persons = tally.duplicate_persons;
    if counters.duplicate_persons > 0 {
        tracing::warn!(
            duplicates = counters.duplicate_persons,
            "the person list repeated persons (the org changed while it was listed); each was written once"
        );
    }
    if !never_seen.is_empty() {
        tracing::warn!(
            fields = ?never_seen,
            "no person row carried these extra fields: check the field codes, and that the token can read them"
        );
    }
    counters.extra_fields_never_seen = never_seen.into_iter().map(str::to_owned).collect();
    if counters.memberships_out_of_scope > 0 {
        tracing::info!(
            memberships = counters.memberships_out_of_scope,
            "memberships in groups of types outside the sync were left out"
        );
    }
    counters.coverage = coverage.finish(&tally.coverage);
    let persons_kept = counters.persons_by_status.values().sum();
    crate::coverage::log(&counters.coverage, persons_kept);
    if counters.skipped_memberships > 0 {
        tracing::warn!(
            skipped = counters.skipped_memberships,
            unknown_groups = %unknown_groups,
            "memberships name groups that are not in the sync; no grant was written for them"
        );
    }
    Ok(())
}

/// Leaves out the persons already seen in this listing (the first row is kept) and, unless
/// departed persons are wanted, the departed ones; counts both. For the connector API, whose
/// listing has no writer to find repeats.
pub(crate) fn keep_new_persons(
    persons: &mut Vec<PersonRecord>,
    mut is_new: impl FnMut(&str) -> bool,
    options: &SyncOptions,
    counters: &mut Counters,
) {
    let before = persons.len();
    persons.retain(|p| is_new(&p.person.id));
    counters.duplicate_persons += (before - persons.len()) as u64;
    drop_departed(persons, options, counters);
}

/// Leaves out the departed persons unless they are wanted; counts them.
fn drop_departed(persons: &mut Vec<PersonRecord>, options: &SyncOptions, counters: &mut Counters) {
    if !options.include_departed {
        let before = persons.len();
        persons.retain(|p| {
            !matches!(p.person.employment_at(options.mapping.today), Employment::Departed { .. })
        });
        counters.departed_excluded += (before - persons.len()) as u64;
    }
}

/// The distinct group ids that memberships named but the sync does not have, for one log
/// line: at most [`UNKNOWN_GROUPS_HELD`] are held, beyond that only counted as "more".
#[derive(Debug, Default)]
struct UnknownGroups {
    ids: HashSet<String>,
    more: bool,
}

/// Distinct unknown group ids held for the log line: memory stays bounded whatever the data.
const UNKNOWN_GROUPS_HELD: usize = 10_000;

impl UnknownGroups {
    fn extend(&mut self, ids: impl IntoIterator<Item = String>) {
        for id in ids {
            if self.ids.len() < UNKNOWN_GROUPS_HELD || self.ids.contains(&id) {
                self.ids.insert(id);
            } else {
                self.more = true;
            }
        }
    }
}

impl std::fmt::Display for UnknownGroups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let more = if self.more { " or more" } else { "" };
        write!(f, "{}{more}", self.ids.len())
    }
}

/// One page of persons mapped as the sync writes them (persons, then their grants), for
/// callers that do not count what the mapping changed.
pub(crate) fn map_person_page(
    persons: &[PersonRecord],
    profiles: &GroupDirectory,
    grants: &GroupDirectory,
    options: &SyncOptions,
) -> Batch {
    let mut coverage = CoverageTracker::new(options.mapping.include_personal_email);
    let mut counters = Counters::default();
    let mut unknown_groups = UnknownGroups::default();
    let mut mapper = PersonMapper {
        scope: Scope { profiles, grants },
        options,
        wants_grants: options.writes_grants(),
        counters: &mut counters,
        coverage: &mut coverage,
        unknown_groups: &mut unknown_groups,
    };
    let mut batch = Batch::default();
    for record in persons {
        mapper.map(record, &mut batch);
    }
    batch
}

/// Maps persons into batches, counting what the mapping changed or refused.
struct PersonMapper<'a> {
    scope: Scope<'a>,
    options: &'a SyncOptions,
    wants_grants: bool,
    counters: &'a mut Counters,
    coverage: &'a mut CoverageTracker,
    unknown_groups: &'a mut UnknownGroups,
}

impl PersonMapper<'_> {
    /// Maps one person (and its grants) into `batch`; returns the encoded bytes it added
    /// (0 when the mapping refused it).
    fn map(&mut self, record: &PersonRecord, batch: &mut Batch) -> usize {
        let (scope, options, counters) = (self.scope, self.options, &mut *self.counters);
        let person = &record.person;
        let extras = PersonExtras {
            manager_email: record.manager_email.clone(),
            manager_name: record.manager_name.clone(),
            custom_fields: record.extra_fields.clone(),
        };
        let resource = match person_resource_with(person, &extras, scope.profiles, &options.mapping) {
            Ok(resource) => resource,
            Err(refused) => {
                // The person is not written, so neither are its grants: they would dangle.
                let memberships =
                    if self.wants_grants { person_grants(person, scope.grants).grants.len() } else { 0 };
                counters.mapping.refused_persons += 1;
                counters.mapping.refused_memberships += memberships as u64;
                if counters.mapping.refused_persons <= REFUSALS_LOGGED {
                    tracing::warn!(person = %refused.id, memberships, "{refused}; its memberships are left out too");
                }
                return 0;
            }
        };
        counters.mapping.note(&resource.notes);
        let mut row = PersonRow {
            status: person.employment_at(options.mapping.today).label(),
            grants: 0,
            skipped_memberships: 0,
            out_of_scope: 0,
            lacks: self.coverage.lacks(person, &resource.notes),
        };
        let mut bytes = resource.value.encoded_len();
        batch.resources.push(resource.value);
        if self.wants_grants {
            let mapped = person_grants(person, scope.grants);
            // A listed group outside the scope is left out on purpose, not unknown.
            let (out_of_scope, unknown): (Vec<String>, Vec<String>) =
                mapped.unknown_group_ids.into_iter().partition(|id| scope.profiles.contains(id));
            row.out_of_scope = out_of_scope.len() as u64;
            row.skipped_memberships = unknown.len() as u64;
            self.unknown_groups.extend(unknown);
            row.grants = mapped.grants.len();
            bytes += mapped.grants.iter().map(Message::encoded_len).sum::<usize>();
            batch.grants.extend(mapped.grants);
        }
        batch.persons.push(row);
        bytes
    }
}

/// Person pages as [`prefetch_pages`] fetches them.
type PersonPages = mpsc::Receiver<Result<Page<PersonRecord>, charthop_client::Error>>;

/// Person pages from a task of their own ([`prefetch`]), so the next page is in flight while
/// this one is mapped and written.
fn prefetch_pages(client: &ChartHopClient, query: &PersonQuery) -> PersonPages {
    prefetch(client.person_record_pages(query))
}

/// One summary of what the mapping changed or refused (the first refusals were logged each).
fn log_mapping(counts: &MappingCounts) {
    if !counts.dropped.is_empty() {
        tracing::warn!(dropped = ?counts.dropped, "values C1 would reject were left out (invalid, or over the 64 KiB cap)");
    }
    if !counts.cut.is_empty() {
        tracing::info!(cut = ?counts.cut, "over-long texts were cut to the limits C1 accepts");
    }
    if counts.refused_persons > 0 || counts.refused_groups > 0 {
        tracing::warn!(
            persons = counts.refused_persons,
            groups = counts.refused_groups,
            memberships = counts.refused_memberships,
            id_max_bytes = c1_mapping::limits::ID_MAX,
            "rows whose id is too long to be valid were not written, nor their memberships"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_listed_twice_or_refused_are_left_out() {
        let group = |id: &str, name: &str| Group { id: id.into(), name: name.into(), ..Default::default() };
        // A huge description is left out by the mapping; only an id that cannot be valid
        // refuses the group (and with it every membership in it).
        let huge =
            Group { description: Some("d".repeat(c1_mapping::limits::FIELD_CAP + 1)), ..group("g3", "Huge") };
        let long_id = group(&"g".repeat(c1_mapping::limits::ID_MAX + 1), "Long id");
        let mut counts = MappingCounts::default();
        let kept = valid_groups(
            vec![group("g1", "First"), group("g2", "Two"), group("g1", "Again"), huge, long_id],
            &mut counts,
        );
        let kept: Vec<_> = kept.iter().map(|g| (g.id.as_str(), g.name.as_str())).collect();
        assert_eq!(kept, [("g1", "First"), ("g2", "Two"), ("g3", "Huge")]);
        assert_eq!(counts.refused_groups, 1);
    }

    #[test]
    fn group_types_match_listed_types_and_legacy_names_case_insensitively() {
        let typed = |id: &str, type_name: &str| Group {
            id: id.into(),
            type_name: Some(type_name.into()),
            ..Default::default()
        };
        let groups = [typed("g1", "TEAM"), typed("g2", "BAND"), typed("g3", "COST_CENTER")];
        let types = [GroupType { id: "t".into(), name: "COST_CENTER".into(), ..Default::default() }];
        let ids = |wanted: Option<&[String]>| -> Vec<String> {
            groups_in_scope(&groups, &types, wanted).unwrap().into_iter().map(|g| g.id).collect()
        };
        // BAND is no listed type, but a group carries it (legacy data names its type).
        assert_eq!(ids(Some(&["band".into(), "Cost_Center".into()])), ["g2", "g3"]);
        assert_eq!(ids(None), ["g1", "g2", "g3"]);
        assert_eq!(ids(Some(&[" ".into()])), ["g1", "g2", "g3"], "no name is every group");
        let err = groups_in_scope(&groups, &types, Some(&["LOCATION".into()])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the organization has no group type named 'LOCATION'; its group types are: BAND, COST_CENTER, TEAM"
        );
    }
}

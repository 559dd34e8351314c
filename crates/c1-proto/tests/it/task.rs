//! Tasks are built from raw bytes, as C1 would send them, so the oneof numbers are what is
//! tested (not a round trip through our own encoder).

use c1_proto::connectorapi::baton::v1::{Task, task};
use c1_proto::prost::Message;

/// A length-delimited field (tag < 2^14, payload < 128 bytes).
fn len_field(number: u32, payload: &[u8]) -> Vec<u8> {
    let key = (number << 3) | 2;
    let mut out =
        if key < 0x80 { vec![key as u8] } else { vec![(key as u8 & 0x7f) | 0x80, (key >> 7) as u8] };
    out.push(u8::try_from(payload.len()).expect("short payload"));
    out.extend_from_slice(payload);
    out
}

fn varint_field(number: u32, value: u8) -> Vec<u8> {
    let key = number << 3;
    assert!(key < 0x80 && value < 0x80);
    vec![key as u8, value]
}

fn task_bytes(arm: u32, arm_payload: &[u8]) -> Vec<u8> {
    let mut bytes = len_field(1, b"2abcdefghijklmnopqrstuvwxyz");
    bytes.extend(varint_field(2, 1)); // STATUS_PENDING
    bytes.extend(len_field(arm, arm_payload));
    bytes
}

#[test]
fn a_ticket_task_we_do_not_handle_decodes_with_its_arm() {
    // create_ticket_task = 110, carrying a field number our subset does not model.
    let bytes = task_bytes(110, &len_field(1, b"ticket request we ignore"));
    let task = Task::decode(bytes.as_slice()).expect("decodes");
    assert_eq!(task.id, "2abcdefghijklmnopqrstuvwxyz");
    assert_eq!(task.status(), task::Status::Pending);
    assert!(matches!(task.task_type, Some(task::TaskType::CreateTicketTask(_))), "{:?}", task.task_type);
}

#[test]
fn every_arm_from_100_to_123_decodes_to_a_task_type() {
    for arm in 100..=123 {
        let task = Task::decode(task_bytes(arm, &[]).as_slice()).expect("decodes");
        assert!(task.task_type.is_some(), "arm {arm} has no task type");
    }
    let last = Task::decode(task_bytes(123, &[]).as_slice()).expect("decodes");
    assert!(matches!(last.task_type, Some(task::TaskType::IssueCredential(_))));
}

#[test]
fn arms_121_and_122_are_the_event_feed_listings_with_their_fields() {
    let feeds = Task::decode(task_bytes(121, &[]).as_slice()).expect("decodes");
    assert!(matches!(feeds.task_type, Some(task::TaskType::ListEventFeeds(_))), "{:?}", feeds.task_type);
    let mut list_events = len_field(2, b"cursor-1"); // cursor
    list_events.extend(len_field(4, b"feed-a")); // event_feed_id
    list_events.extend(varint_field(5, 50)); // page_size
    let events = Task::decode(task_bytes(122, &list_events).as_slice()).expect("decodes");
    let Some(task::TaskType::ListEvents(events)) = events.task_type else {
        panic!("arm 122 is list_events: {:?}", events.task_type);
    };
    assert_eq!(
        (events.cursor.as_str(), events.event_feed_id.as_str(), events.page_size),
        ("cursor-1", "feed-a", 50)
    );
}

#[test]
fn an_arm_newer_than_the_subset_decodes_without_a_task_type() {
    let task = Task::decode(task_bytes(150, b"").as_slice()).expect("unknown fields are skipped");
    assert_eq!(task.id, "2abcdefghijklmnopqrstuvwxyz");
    assert_eq!(task.task_type, None);
}

#[test]
fn a_sync_full_task_carries_its_options() {
    let mut sync_full = varint_field(2, 1); // skip_expand_grants
    sync_full.extend(len_field(5, b"group")); // sync_resource_type_ids
    sync_full.extend(varint_field(6, 1)); // skip_grants
    sync_full.extend(len_field(7, b"sqlite")); // storage_engine
    let task = Task::decode(task_bytes(102, &sync_full).as_slice()).expect("decodes");
    let Some(task::TaskType::SyncFull(sync_full)) = task.task_type else {
        panic!("expected sync_full, got {:?}", task.task_type);
    };
    assert!(sync_full.skip_expand_grants);
    assert!(!sync_full.skip_entitlements_and_grants);
    assert!(sync_full.skip_grants);
    assert_eq!(sync_full.sync_resource_type_ids, ["group"]);
    assert_eq!(sync_full.storage_engine, "sqlite");
}

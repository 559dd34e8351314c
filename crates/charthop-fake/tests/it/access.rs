use charthop_fake::{Endpoint, Knobs};
use serde_json::json;

use crate::http::{fake, get, get_with, groups_path, persons_path};

#[tokio::test]
async fn a_missing_or_wrong_token_is_401_on_every_route() {
    let fake = fake(10, Knobs::default()).await;
    let org = fake.org().org_id.clone();
    let person = fake.org().persons[0].id.clone();
    let group = fake.org().groups[0].id.clone();
    let paths = [
        "/v1/org".to_owned(),
        format!("/v2/org/{org}/person"),
        format!("/v2/org/{org}/person/{person}"),
        format!("/v2/org/{org}/group"),
        format!("/v2/org/{org}/group/{group}"),
        format!("/v1/org/{org}/group-type"),
    ];
    for path in &paths {
        for auth in [None, Some("Bearer wrong-token"), Some(format!("Basic {}", fake.token()).as_str())] {
            let reply = get_with(&fake, path, auth).await;
            assert_eq!(reply.status, 401, "{path} with {auth:?}");
            assert_eq!(reply.json(), json!({"code": 401, "message": "not authorized"}));
        }
        let lower = get_with(&fake, path, Some(&format!("bearer {}", fake.token()))).await;
        assert_eq!(lower.status, 200, "{path}: the scheme is case-insensitive");
    }
    for endpoint in Endpoint::ALL {
        assert_eq!(fake.requests(endpoint), 4, "{endpoint:?} counted every attempt");
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn a_token_without_person_access_is_403_on_person_routes_only() {
    let knobs = Knobs { token_without_person_access: Some("groups-only".into()), ..Knobs::default() };
    let fake = fake(10, knobs).await;
    let groups_only = Some("Bearer groups-only");
    let person = &fake.org().persons[0].id;
    for path in [persons_path(&fake, ""), format!("/v2/org/{}/person/{person}", fake.org().org_id)] {
        let reply = get_with(&fake, &path, groups_only).await;
        assert_eq!((reply.status, reply.json()["code"].clone()), (403, json!(403)), "{path}");
    }
    assert_eq!(get_with(&fake, &groups_path(&fake, ""), groups_only).await.status, 200);
    assert_eq!(get_with(&fake, "/v1/org", groups_only).await.status, 200);
    assert!(!format!("{:?}", fake.knobs()).contains("groups-only"), "Debug hides the tokens");
    assert!(!format!("{:?}", fake.knobs()).contains(&fake.token()));
    fake.shutdown().await;
}

#[tokio::test]
async fn an_unknown_org_is_404_and_the_slug_is_accepted() {
    let fake = fake(10, Knobs::default()).await;
    let unknown = get(&fake, "/v2/org/no-such-org/person").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["code"], json!(404));
    assert_eq!(get(&fake, &format!("/v1/org/{}/group-type", "0".repeat(24))).await.status, 404);
    let by_slug = get(&fake, &format!("/v2/org/{}/person", fake.org().slug)).await;
    assert_eq!(by_slug.status, 200);
    let nowhere = get(&fake, "/v3/nowhere").await;
    assert_eq!(nowhere.status, 404);
    assert_eq!(fake.total_requests(), 4);
    fake.shutdown().await;
}

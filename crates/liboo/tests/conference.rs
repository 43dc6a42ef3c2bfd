//! Schedule imports through the binary's API, with the real exports of real conferences
//! in `../shared/conference/` (read from there, never copied in): counts of rooms, days
//! and talks, a non-ASCII title, a talk's time in its zone; a changed copy imported
//! again updates, adds and cancels without duplicating; hostile and malformed files
//! import nothing.

use std::path::PathBuf;

use liboo_testkit::LibooProcess;
use serde_json::{Value, json};

const ORGANISER: &str = "organiser-secret-identity";

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conference")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn post(base: &str, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str) -> Value {
    let r = reqwest::get(format!("{base}{path}")).await.unwrap();
    assert!(r.status().is_success(), "GET {path}: {}", r.status());
    r.json().await.unwrap()
}

async fn import(base: &str, body: Value) -> Value {
    let (status, report) = post(base, "/api/conferences/import", body).await;
    assert_eq!(status, 200, "{report}");
    report
}

fn start() -> (tempfile::TempDir, LibooProcess) {
    let dir = tempfile::tempdir().unwrap();
    let liboo = LibooProcess::start(env!("CARGO_BIN_EXE_liboo"), dir.path(), &[]);
    (dir, liboo)
}

/// The exported schedule.json's event with this title: its local `start` is the time
/// in the conference's zone.
fn exported_event<'a>(export: &'a Value, title: &str) -> &'a Value {
    export["schedule"]["conference"]["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["rooms"].as_object().unwrap().values())
        .flat_map(|events| events.as_array().unwrap())
        .find(|e| e["title"] == title)
        .unwrap_or_else(|| panic!("no event {title:?} in the export"))
}

#[tokio::test]
async fn real_schedules_import_with_their_rooms_days_and_talks() {
    let (_dir, liboo) = start();
    let base = liboo.http.as_str();
    // (file, time zone to give, slug, rooms, days, talks, spot guid/key, title, room, UTC start, local start, minutes)
    let cases = [
        (
            "debconf23.schedule.xml",
            None,
            "debconf23",
            5,
            8,
            117,
            "c7e54c2e-239c-11b7-2e75-b9d6d8c26e4a",
            "From 5 to 100: The Debian Brasília Community's Story",
            "Anamudi",
            "2023-09-10T12:30:00.000Z",
            "18:00",
            "Asia/Kolkata",
        ),
        (
            "fosdem-2021.schedule.xml",
            Some("Europe/Brussels"),
            "fosdem-2021",
            106,
            2,
            773,
            "",
            "kris nóva live",
            "D.go",
            "2021-02-06T15:00:00.000Z",
            "16:00",
            "Europe/Brussels",
        ),
        (
            "rc3-channels-2020.schedule.json",
            None,
            "rc3-channels-2020",
            5,
            4,
            48,
            "74a257b7-34be-541c-9cb5-b84ff3ef7349",
            "Oh du fröhliche, oh du smarte Welt...",
            "r3s - Monheim/Rhein",
            "2020-12-27T15:00:00.000Z",
            "16:00",
            "Etc/GMT-1",
        ),
    ];
    for (file, zone, slug, rooms, days, talks, guid, title, room, utc, local, tz) in cases {
        let body = fixture(file);
        let mut req = json!({"userId": ORGANISER, "body": body, "slug": slug, "apply": false});
        if let Some(z) = zone {
            req["timeZone"] = json!(z);
        }
        // A dry run reports and writes nothing.
        let dry = import(base, req.clone()).await;
        assert_eq!(dry["applied"], false);
        assert_eq!(dry["added"].as_array().unwrap().len(), talks, "{file}");
        assert_eq!(dry["rooms"].as_array().unwrap().len(), rooms, "{file}");
        assert!(
            dry["rooms"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["new"] == true)
        );
        assert_eq!(
            dry["conference"]["days"].as_array().unwrap().len(),
            days,
            "{file}"
        );
        let (status, _) = post(base, &format!("/api/conferences/{slug}"), json!({})).await;
        assert_eq!(status, 405, "nothing is made by a dry run");
        assert_eq!(
            reqwest::get(format!("{base}/api/conferences/{slug}"))
                .await
                .unwrap()
                .status(),
            404
        );

        req["apply"] = json!(true);
        let applied = import(base, req.clone()).await;
        assert_eq!(applied["applied"], true);
        let conf = get(base, &format!("/api/conferences/{slug}")).await;
        assert_eq!(conf["timeZone"], tz, "{file}");
        assert_eq!(conf["rooms"].as_array().unwrap().len(), rooms, "{file}");
        assert_eq!(conf["days"].as_array().unwrap().len(), days, "{file}");
        let schedule = get(base, &format!("/api/conferences/{slug}/schedule")).await;
        let all = schedule["talks"].as_array().unwrap();
        assert_eq!(all.len(), talks, "{file}");
        let spot = all
            .iter()
            .find(|t| t["title"] == title)
            .unwrap_or_else(|| panic!("{file}: no talk {title:?}"));
        assert_eq!(spot["roomName"], room, "{file}");
        assert_eq!(spot["schedStart"], utc, "{file}");
        // The time in the conference's zone, as the schedule.json export writes it.
        let export = get(
            base,
            &format!("/api/conferences/{slug}/schedule?format=frab-json"),
        )
        .await;
        assert_eq!(exported_event(&export, title)["start"], local, "{file}");
        if !guid.is_empty() {
            assert_eq!(spot["key"], guid, "{file}: the guid is the talk's key");
        }

        // The same file again: nothing added, changed or cancelled.
        let again = import(base, req).await;
        assert_eq!(again["unchanged"], talks, "{file}");
        for list in ["added", "changed", "cancelled"] {
            assert!(again[list].as_array().unwrap().is_empty(), "{file}: {list}");
        }
    }

    // FOSDEM 2021 names no zone and its talks carry no ISO date: without one it is refused.
    let (status, body) = post(
        base,
        "/api/conferences/import",
        json!({"userId": ORGANISER, "body": fixture("fosdem-2021.schedule.xml"), "slug": "fosdem-again", "apply": true}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("time zone"),
        "{body}"
    );
}

#[tokio::test]
async fn a_changed_copy_updates_adds_and_cancels_without_duplicating() {
    let (_dir, liboo) = start();
    let base = liboo.http.as_str();
    let original = fixture("rc3-channels-2020.schedule.json");
    import(
        base,
        json!({"userId": ORGANISER, "body": original, "apply": true}),
    )
    .await;
    let before = get(base, "/api/conferences/rc3-channels-2020/schedule").await;
    let id_of = |s: &Value, key: &str| {
        s["talks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == key)
            .map(|t| t["talkId"].clone())
    };

    // Retitle one talk, move another by an hour, drop a third, add a new one.
    let mut doc: Value = serde_json::from_str(&original).unwrap();
    let day = &mut doc["schedule"]["conference"]["days"][0]["rooms"];
    let room = day
        .as_object_mut()
        .unwrap()
        .values_mut()
        .find(|events| events.as_array().unwrap().len() >= 3)
        .unwrap();
    let events = room.as_array_mut().unwrap();
    let retitled = events[0]["guid"].as_str().unwrap().to_owned();
    events[0]["title"] = json!("Ein neuer Titel");
    let moved = events[1]["guid"].as_str().unwrap().to_owned();
    let old = events[1]["date"].as_str().unwrap();
    let date = format!("{}08{}", &old[..11], &old[13..]);
    assert_ne!(date, old);
    events[1]["date"] = json!(date);
    let dropped = events.remove(2)["guid"].as_str().unwrap().to_owned();
    let mut added = events[0].clone();
    added["guid"] = json!("00000000-1111-4222-8333-444444444444");
    added["id"] = json!(99999);
    added["slug"] = json!("NEWTLK");
    added["title"] = json!("A late addition");
    events.push(added);
    let changed = serde_json::to_string(&doc).unwrap();

    let report = import(
        base,
        json!({"userId": ORGANISER, "body": changed, "slug": "rc3-channels-2020", "apply": true}),
    )
    .await;
    let keys = |list: &str| -> Vec<String> {
        report[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["key"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(keys("added"), vec!["00000000-1111-4222-8333-444444444444"]);
    assert_eq!(keys("cancelled"), vec![dropped.clone()]);
    let mut changed_keys = keys("changed");
    changed_keys.sort();
    let mut want = vec![retitled.clone(), moved.clone()];
    want.sort();
    assert_eq!(changed_keys, want, "{report}");
    assert_eq!(report["unchanged"], 48 - 3);

    let after = get(base, "/api/conferences/rc3-channels-2020/schedule").await;
    let talks = after["talks"].as_array().unwrap();
    // 48 + 1 added; the dropped one is kept, cancelled (it may have questions).
    assert_eq!(talks.len(), 49);
    let mut all_keys: Vec<&str> = talks.iter().map(|t| t["key"].as_str().unwrap()).collect();
    all_keys.sort();
    all_keys.dedup();
    assert_eq!(all_keys.len(), 49, "no talk twice");
    for key in [&retitled, &moved, &dropped] {
        assert_eq!(
            id_of(&before, key),
            id_of(&after, key),
            "{key} keeps its id"
        );
    }
    let state = |key: &str| talks.iter().find(|t| t["key"] == key).unwrap()["state"].clone();
    assert_eq!(state(&dropped), "cancelled");
    assert_eq!(
        talks.iter().find(|t| t["key"] == retitled).unwrap()["title"],
        "Ein neuer Titel"
    );

    // Another organiser cannot import into it.
    let (status, _) = post(
        base,
        "/api/conferences/import",
        json!({"userId": "someone-else-entirely", "body": fixture("rc3-channels-2020.schedule.json"), "slug": "rc3-channels-2020", "apply": true}),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn hostile_and_malformed_schedules_import_nothing() {
    let (_dir, liboo) = start();
    let base = liboo.http.as_str();
    let entities = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<schedule><version>1</version><conference><title>&lol2;</title></conference></schedule>"#;
    let wrong_types =
        r#"{"schedule": {"version": "1", "conference": {"title": 5, "days": "soon"}}}"#;
    let no_title = r#"<schedule><conference><title>X</title><time_zone_name>UTC</time_zone_name></conference>
<day index="1" date="2024-01-01"><room name="A"><event id="1" guid="9e5c0c9e-0000-4000-8000-000000000001">
<date>2024-01-01T10:00:00+00:00</date><start>10:00</start><duration>00:30</duration><room>A</room></event></room></day></schedule>"#;
    let bad_duration = no_title
        .replace("<room>A</room>", "<room>A</room><title>T</title>")
        .replace("00:30", "half an hour");
    for (name, body, expect) in [
        ("XML entities", entities.to_owned(), "entit"),
        ("wrong types", wrong_types.to_owned(), "schedule.conference"),
        ("a talk without a title", no_title.to_owned(), "title"),
        ("a bad duration", bad_duration, "half an hour"),
        ("not a schedule", "hello".to_owned(), ""),
    ] {
        let (status, err) = post(
            base,
            "/api/conferences/import",
            json!({"userId": ORGANISER, "body": body, "slug": "hostile", "apply": true}),
        )
        .await;
        assert_eq!(status, 400, "{name}: {err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains(expect), "{name}: {message}");
        assert_eq!(
            reqwest::get(format!("{base}/api/conferences/hostile"))
                .await
                .unwrap()
                .status(),
            404,
            "{name}: nothing imported"
        );
    }
    // A body over the import limit is refused before it is parsed.
    let huge = "x".repeat(liboo_api::IMPORT_BODY_LIMIT + 1);
    let (status, _) = post(
        base,
        "/api/conferences/import",
        json!({"userId": ORGANISER, "body": huge, "apply": true}),
    )
    .await;
    assert_eq!(status, 413);
    // The server goes on.
    let list = get(base, "/api/conferences").await;
    assert_eq!(list["info"], json!([]));
}

#[tokio::test]
async fn a_schedule_url_is_fetched_and_its_errors_say_what_to_do() {
    let (dir, liboo) = start();
    let base = liboo.http.as_str();
    // liboo's own /media serves the file, so the URL is a real HTTP fetch on loopback.
    let folder = dir.path().join("media/live/feed");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("schedule.xml"),
        fixture("debconf23.schedule.xml"),
    )
    .unwrap();
    let url = format!("{base}/media/live/feed/schedule.xml");
    let report = import(
        base,
        json!({"userId": ORGANISER, "url": url, "apply": true, "refreshMinutes": 15}),
    )
    .await;
    assert_eq!(report["added"].as_array().unwrap().len(), 117);
    let conf = get(base, "/api/conferences/debconf23").await;
    assert_eq!(conf["source"]["url"], url);
    assert_eq!(conf["source"]["refreshMinutes"], 15);
    assert_eq!(conf["source"]["format"], "frab-xml");

    let (status, err) = post(
        base,
        "/api/conferences/import",
        json!({"userId": ORGANISER, "url": format!("{base}/media/live/feed/missing.xml"), "apply": false}),
    )
    .await;
    assert_eq!(status, 502, "{err}");
    assert!(err["message"].as_str().unwrap().contains("404"), "{err}");
    let (status, err) = post(
        base,
        "/api/conferences/import",
        json!({"userId": ORGANISER, "url": "file:///etc/passwd", "apply": false}),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("http://"),
        "{err}"
    );
    let (status, _) = post(
        base,
        "/api/conferences/import",
        json!({"userId": ORGANISER, "apply": false}),
    )
    .await;
    assert_eq!(status, 400);
}

//! A schedule URL imported, then imported again when its interval is due: the changed
//! file updates the conference, a failing URL leaves it as it was and waits for the next
//! interval. The URL is served by a small HTTP server on loopback whose file the test
//! changes.

use std::sync::{Arc, Mutex};

use liboo_conference::import::{ImportRequest, RoomKeys, fetch, import, reimport};
use liboo_db::{Db, hash_secret};
use liboo_testkit::{Engine, TestDb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves `body` (404 when `None`) to every request until the test ends.
async fn serve(body: Arc<Mutex<Option<String>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/schedule.xml", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let body = body.lock().unwrap().clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let reply = match body {
                    Some(b) => format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{b}",
                        b.len()
                    ),
                    None => {
                        "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                            .to_owned()
                    }
                };
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    url
}

fn schedule(title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<schedule><version>v1</version>
<conference><acronym>refresh-conf</acronym><title>Refresh</title><start>2030-05-01</start><end>2030-05-01</end>
<time_zone_name>Europe/Berlin</time_zone_name></conference>
<day index="1" date="2030-05-01"><room name="Saal 1">
<event id="1" guid="5f0e9a52-1111-4c4c-9d9d-000000000001"><date>2030-05-01T10:00:00+02:00</date>
<start>10:00</start><duration>00:30</duration><room>Saal 1</room><title>{title}</title><type>Talk</type>
<abstract/><track/></event>
</room></day></schedule>"#
    )
}

#[tokio::test]
async fn a_schedule_url_is_imported_again_when_due() {
    let t = TestDb::new(Engine::Sqlite).await;
    let db = Db::connect(&t.url).await.unwrap();
    let file = Arc::new(Mutex::new(Some(schedule("Erster Titel"))));
    let url = serve(file.clone()).await;
    let keys: RoomKeys = Arc::new(|slug: &str, room: &str| {
        (
            format!("{slug}-{room}").replace(' ', "_"),
            hash_secret(room),
        )
    });
    let organiser = hash_secret("organiser");
    let req = ImportRequest {
        bytes: fetch(&url).await.unwrap(),
        source_url: Some(url.clone()),
        apply: true,
        ..ImportRequest::default()
    };
    let report = import(&db, &keys, &organiser, &req, 1_000).await.unwrap();
    assert_eq!(report.added.len(), 1);
    let c = db
        .conference_by_slug("refresh-conf")
        .await
        .unwrap()
        .unwrap();
    db.set_conference_refresh(c.id, Some(300)).await.unwrap();
    // Not due before its interval.
    assert!(
        db.conferences_due_refresh(1_000 + 299_000)
            .await
            .unwrap()
            .is_empty()
    );
    let due = db.conferences_due_refresh(1_000 + 300_000).await.unwrap();
    assert_eq!(due.len(), 1);

    // The organiser changed a title in pretalx: the re-import carries it over.
    *file.lock().unwrap() = Some(schedule("Zweiter Titel"));
    let again = reimport(&db, &keys, &due[0], 301_000).await.unwrap();
    assert_eq!(again.changed.len(), 1);
    assert_eq!(again.changed[0].changes, vec!["title"]);
    let talks = db.talks_of_conference(c.id).await.unwrap();
    assert_eq!(talks.len(), 1);
    assert_eq!(talks[0].fields.title, "Zweiter Titel");

    // The URL fails: nothing changes, and the error says what to do.
    *file.lock().unwrap() = None;
    let c = db.conference_by_id(c.id).await.unwrap().unwrap();
    let err = reimport(&db, &keys, &c, 700_000).await.unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
    assert_eq!(
        db.talks_of_conference(c.id).await.unwrap()[0].fields.title,
        "Zweiter Titel"
    );
}

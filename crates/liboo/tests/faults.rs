//! Faults liboo must ride out without a restart.

use std::time::{Duration, Instant};

use liboo_testkit::{LibooProcess, PrivateMariaDb, host_keys};
use serde_json::Value;

/// Polls `url` until its status is `want`, and returns the body.
async fn until_status(url: &str, want: u16, what: &str) -> String {
    let started = Instant::now();
    loop {
        if let Ok(r) = reqwest::get(url).await
            && r.status().as_u16() == want
        {
            return r.text().await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{what}: {url} never answered {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// MariaDB going away mid-run: the API answers 503 (with the error body) while it is
/// down and works again once it is back, with nothing lost and no restart of liboo.
#[tokio::test]
async fn the_api_rides_out_a_database_restart() {
    let mut db = PrivateMariaDb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let liboo = LibooProcess::start(
        env!("CARGO_BIN_EXE_liboo"),
        dir.path(),
        &["--database-url", &db.url()],
    );
    let (_, session_key) = host_keys(&liboo.http, "fault-host").await;
    let state = format!("{}/api/host/state?sessionKey={session_key}", liboo.http);
    until_status(&state, 200, "before").await;

    db.stop();
    let body = until_status(&state, 503, "while the database is down").await;
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["statusCode"], 503, "{body}");
    until_status(
        &format!("{}/readyz", liboo.http),
        503,
        "readiness while down",
    )
    .await;
    // The rest of the node goes on: health and the web app do not need the database.
    until_status(
        &format!("{}/healthz", liboo.http),
        200,
        "liveness while down",
    )
    .await;

    db.resume();
    let body = until_status(&state, 200, "after the database is back").await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["state"],
        false
    );
    until_status(&format!("{}/readyz", liboo.http), 200, "readiness after").await;
    // The channel made before the outage is still there.
    let (_, again) = host_keys(&liboo.http, "fault-host").await;
    assert_eq!(again, session_key);
    let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    assert!(
        log.contains("WARN") || log.contains("ERROR"),
        "the outage was logged"
    );
}

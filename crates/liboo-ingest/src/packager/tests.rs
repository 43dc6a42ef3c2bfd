//! Helpers for tests elsewhere in the crate that need what the packager makes.

use std::time::Duration;

use bytes::Bytes;
use liboo_storage::MediaStore;
use liboo_storage::layout::BroadcastPrefix;

use super::{BroadcastInfo, Packager};
use crate::uploader::Report;

/// The first segment the packager makes of the committed fixture, as stored.
pub(crate) async fn first_segment_of_fixture() -> Bytes {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    let media = MediaStore::open(&url, &Default::default()).unwrap();
    let info = BroadcastInfo {
        id: 1,
        session_key: "s".to_owned(),
        video_id: "v".to_owned(),
        prefix: BroadcastPrefix::new("s", "v"),
    };
    let mut packager = Packager::new(
        info,
        media.clone(),
        // Classic HLS: the fixture's first segment is read as MPEG-TS.
        &crate::IngestConfig {
            part_target: None,
            ..crate::IngestConfig::default()
        },
        None,
        Default::default(),
        0,
    );
    let flv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/testsrc.flv"
    ))
    .unwrap();
    let (_, tags) = flv::FlvReader::read_all(&flv, flv::Limits::default()).unwrap();
    for tag in tags {
        let ts = i64::from(tag.timestamp);
        match tag.tag_type {
            flv::TagType::Video => {
                packager.video(ts, tag.body).unwrap();
            }
            flv::TagType::Audio => packager.audio(ts, tag.body).unwrap(),
            _ => {}
        }
    }
    // The uploader says when it has stored the segment; the timeout only turns a packager
    // that made none into a failure instead of a hang.
    let key = packager
        .info
        .prefix
        .join(&liboo_storage::layout::ts_segment(0));
    let stored = async {
        loop {
            match packager.next_report().await {
                Report::Stored(k) if k == key => return,
                Report::Stored(_) => {}
                other => panic!("the uploader did not store {key}: {other:?}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), stored)
        .await
        .expect("the packager stored no segment");
    media.get_bytes(&key).await.unwrap()
}

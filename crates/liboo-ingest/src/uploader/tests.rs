//! The uploader as the packager sees it: messages in, reports out, objects in a store.

use bytes::Bytes;
use liboo_storage::MediaStore;
use tokio::sync::mpsc;

use super::{Kind, Msg, Report, Upload, Uploader};

fn upload(kind: Kind, key: &str, len: usize) -> Upload {
    Upload::new(kind, key.to_owned(), Bytes::from(vec![0u8; len]))
}

/// A folder store on a full disk: the uploader reports `Full` once, drops the media
/// and still stores playlists where they fit (the reserve). Here the reserve is
/// larger than the disk, so no media fits at all while a playlist does.
#[tokio::test]
async fn a_full_disk_is_reported_once_and_media_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    let media = MediaStore::open(&url, &Default::default()).unwrap();
    let (tx, mut reports) = mpsc::unbounded_channel();
    let uploader = Uploader::new(media.clone(), u64::MAX / 2, "v".to_owned(), tx);
    let (queue, rx) = mpsc::channel(8);
    let task = tokio::spawn(uploader.run(rx));
    for u in [
        upload(Kind::Init, "v/init0.mp4", 10),
        upload(Kind::Part, "v/seg00000.0.m4s", 10),
        upload(Kind::Segment, "v/seg00000.m4s", 10),
        Upload::playlist(
            "v/index.m3u8".to_owned(),
            Bytes::from_static(b"#EXTM3U\n"),
            None,
        ),
    ] {
        queue.send(Msg::Store(u)).await.unwrap();
    }
    drop(queue);
    task.await.unwrap();
    let mut got = Vec::new();
    while let Ok(r) = reports.try_recv() {
        got.push(r);
    }
    assert!(matches!(&got[0], Report::Full(why) if why.contains("--storage-min-free-mb")));
    assert_eq!(
        &got[1..],
        [
            Report::Dropped("v/init0.mp4".to_owned()),
            Report::Dropped("v/seg00000.0.m4s".to_owned()),
            Report::Dropped("v/seg00000.m4s".to_owned()),
        ]
    );
    assert_eq!(media.list("v").await.unwrap(), ["v/index.m3u8"]);
}

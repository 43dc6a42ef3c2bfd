//! The same operations on a local folder and on a real S3 API server on loopback.

use bytes::Bytes;
use liboo_storage::{ByteRange, MediaStore, S3Options, StorageError};
use liboo_testkit::{S3Server, Tmpfs, unique};

async fn exercise(store: &MediaStore) {
    store.ping().await.unwrap();
    store
        .put("live/sk/v1/seg1.ts", Bytes::from_static(b"0123456789"))
        .await
        .unwrap();
    store
        .put("live/sk/v1/seg2.ts", Bytes::from_static(b"abc"))
        .await
        .unwrap();
    store
        .put("live/sk/index.m3u8", Bytes::from_static(b"#EXTM3U\n"))
        .await
        .unwrap();
    assert_eq!(
        store.get_bytes("live/sk/v1/seg1.ts").await.unwrap(),
        "0123456789"
    );
    let part = store
        .get(
            "live/sk/v1/seg1.ts",
            Some(ByteRange::Bounded {
                start: 2,
                end_inclusive: 4,
            }),
        )
        .await
        .unwrap();
    assert_eq!(part.range, 2..5);
    assert_eq!(part.bytes().await.unwrap(), "234");
    let tail = store
        .get("live/sk/v1/seg1.ts", Some(ByteRange::Suffix(3)))
        .await
        .unwrap();
    assert_eq!(tail.bytes().await.unwrap(), "789");
    assert!(matches!(
        store.get_bytes("live/sk/none.ts").await,
        Err(StorageError::NotFound(_))
    ));
    assert!(matches!(
        store.get_bytes("live/../etc/passwd").await,
        Err(StorageError::InvalidKey(_))
    ));
    assert_eq!(store.list("live/sk").await.unwrap().len(), 3);
    assert_eq!(store.delete_prefix("live/sk/v1").await.unwrap(), 2);
    assert_eq!(store.list("live/sk").await.unwrap(), ["live/sk/index.m3u8"]);
    store.delete("live/sk/index.m3u8").await.unwrap();
    store.delete("live/sk/index.m3u8").await.unwrap();
}

#[tokio::test]
async fn local_folder() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().join("media").display());
    let store = MediaStore::open(&url, &S3Options::default()).unwrap();
    exercise(&store).await;
}

#[tokio::test]
async fn s3_bucket_on_loopback() {
    let server = S3Server::start();
    let bucket = unique("liboo-");
    create_bucket(&server.endpoint, &bucket).await;
    let options = S3Options {
        endpoint: Some(server.endpoint.clone()),
        region: Some("us-east-1".into()),
        path_style: true,
        credentials: Some(("test".into(), "test".into())),
    };
    let store = MediaStore::open(&format!("s3://{bucket}/prefix"), &options).unwrap();
    exercise(&store).await;
    assert_eq!(store.free_space(), None, "a bucket has no disk to fill");
}

/// A folder on a full disk: the write that does not fit is told apart from other
/// failures, names the file, and leaves no half-written file behind; once space is
/// freed, writes work again.
#[tokio::test]
async fn a_full_disk_is_told_apart() {
    let disk = Tmpfs::mount("1m");
    let store = MediaStore::open(
        &format!("file://{}", disk.path.display()),
        &S3Options::default(),
    )
    .unwrap();
    let before = store.free_space().unwrap();
    assert!(before > 512 << 10 && before <= 1 << 20, "{before}");
    let chunk = Bytes::from(vec![7u8; 300 << 10]);
    let mut stored = Vec::new();
    let error = loop {
        let key = format!("live/sk/v/seg{:05}.ts", stored.len());
        match store.put(&key, chunk.clone()).await {
            Ok(()) => stored.push(key),
            Err(e) => break (key, e),
        }
        assert!(
            stored.len() < 10,
            "a 1 MB disk took {} objects",
            stored.len()
        );
    };
    let (key, error) = error;
    assert!(error.is_full(), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&*disk.path.join(&key).to_string_lossy()),
        "{message}"
    );
    assert!(message.contains("No space left on device"), "{message}");
    assert_eq!(
        store.list("live").await.unwrap(),
        stored,
        "no partial object"
    );
    assert!(store.free_space().unwrap() < 300 << 10);
    store.delete(&stored[0]).await.unwrap();
    store.put(&key, chunk).await.unwrap();
}

/// Creates a bucket with a plain path-style PUT: moto does not check signatures.
async fn create_bucket(endpoint: &str, bucket: &str) {
    let client = reqwest::Client::new();
    let res = client
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "create bucket: {}", res.status());
}

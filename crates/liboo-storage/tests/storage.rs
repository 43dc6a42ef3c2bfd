//! The same operations on a local folder and on a real S3 API server on loopback.

use bytes::Bytes;
use liboo_storage::{ByteRange, MediaStore, S3Options, StorageError};
use liboo_testkit::{S3Server, unique};

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

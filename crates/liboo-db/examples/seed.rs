//! Fills a database with live broadcasts for benchmarks, through the same calls ingest
//! makes: `cargo run --release -p liboo-db --example seed -- DATABASE_URL COUNT`.

use std::time::{SystemTime, UNIX_EPOCH};

use liboo_db::{ChannelSettings, Db, hash_secret};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: seed DATABASE_URL COUNT")?;
    let count: i64 = args
        .next()
        .ok_or("usage: seed DATABASE_URL COUNT")?
        .parse()?;
    let db = Db::connect(&url).await?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as i64;
    for i in 0..count {
        let session_key = format!("bench{i:015}");
        let channel = db
            .ensure_channel(&session_key, &hash_secret(&format!("stream{i}")), now)
            .await?;
        let settings = ChannelSettings {
            title: format!("Benchmark talk number {i} about streaming"),
            host_name: format!("Speaker {i}"),
            notice: "Questions welcome".into(),
            category: "Backend".into(),
            tags: vec!["Rust".into(), "HLS".into(), "C++".into()],
            thumbnail_key: Some(format!("channels/{session_key}/thumb-0000000000000000.jpg")),
        };
        db.update_channel_settings(channel.id, &settings, now)
            .await?;
        let video_id = format!("v{i:015}");
        db.start_broadcast(
            channel.id,
            &video_id,
            &format!("live/{session_key}/{video_id}"),
            now - i,
        )
        .await?;
        if i % 100 == 99 {
            eprintln!("seeded {} of {count} live broadcasts", i + 1);
        }
    }
    Ok(())
}

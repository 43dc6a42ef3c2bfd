//! The settings as a node resolves them: defaults, precedence, ranges, and help texts
//! that name the defaults.

use std::time::Duration;

use super::{Role, ServeArgs};

#[test]
fn defaults_are_all_in_one() {
    let c = ServeArgs::default().resolve().unwrap();
    assert_eq!(c.http_addr.port(), 8080);
    assert_eq!(c.rtmp_addr.port(), 1935);
    assert!(c.database_url.starts_with("sqlite://") && c.database_url.contains("liboo-data"));
    assert!(c.storage_url.starts_with("file:///"));
    assert_eq!(c.public_url, "http://localhost:8080");
    assert_eq!(c.media_public_url, "http://localhost:8080/media");
    assert_eq!(c.roles.len(), 4);
    assert_eq!(c.segment_target, Duration::from_secs(2));
    assert_eq!(c.rtmp_public_url, "rtmp://localhost:1935/live");
    assert_eq!(c.part_target, Some(Duration::from_millis(334)), "LL-HLS");
    assert_eq!(c.live_playlist_base(), "http://localhost:8080/media");
    let behind_proxy = ServeArgs {
        public_url: Some("https://[::1]:8443/".into()),
        rtmp_addr: Some("0.0.0.0:1936".parse().unwrap()),
        ..ServeArgs::default()
    };
    let c = behind_proxy.resolve().unwrap();
    assert_eq!(c.rtmp_public_url, "rtmp://[::1]:1936/live");
}

/// The flags' help texts name the defaults that `resolve` and the crates use.
#[test]
fn help_texts_name_the_defaults() {
    use clap::Args as _;
    use liboo_service::defaults as d;
    let command = ServeArgs::augment_args(clap::Command::new("serve"));
    let help = |flag: &str| -> String {
        let arg = command
            .get_arguments()
            .find(|a| a.get_long() == Some(flag))
            .unwrap_or_else(|| panic!("no --{flag}"));
        arg.get_help().map(|h| h.to_string()).unwrap_or_default()
    };
    for (flag, value) in [
        ("segment-seconds", d::SEGMENT_SECONDS.to_string()),
        ("reconnect-grace", d::RECONNECT_GRACE_SECONDS.to_string()),
        ("part-seconds", d::PART_SECONDS.to_string()),
        ("frame-seconds", d::FRAME_SECONDS.to_string()),
        ("storage-min-free-mb", d::STORAGE_MIN_FREE_MB.to_string()),
        ("chat-rate-limit", d::CHAT_RATE_LIMIT.to_string()),
        ("chat-rate-window", d::CHAT_RATE_WINDOW_SECONDS.to_string()),
        (
            "chat-max-connections-per-ip",
            d::CHAT_MAX_CONNECTIONS_PER_IP.to_string(),
        ),
        (
            "chat-max-payload-bytes",
            d::CHAT_MAX_PAYLOAD_BYTES.to_string(),
        ),
        (
            "rtmp-max-connections-per-ip",
            d::RTMP_MAX_CONNECTIONS_PER_IP.to_string(),
        ),
        (
            "rtmp-handshake-timeout",
            d::RTMP_HANDSHAKE_TIMEOUT_SECONDS.to_string(),
        ),
        (
            "rtmp-idle-timeout",
            d::RTMP_IDLE_TIMEOUT_SECONDS.to_string(),
        ),
        (
            "rtmp-max-message-bytes",
            d::RTMP_MAX_MESSAGE_BYTES.to_string(),
        ),
        (
            "rtmp-max-chunk-streams",
            d::RTMP_MAX_CHUNK_STREAMS.to_string(),
        ),
        ("rtmp-read-batch-ms", d::RTMP_READ_BATCH_MS.to_string()),
        (
            "http-max-header-bytes",
            d::HTTP_MAX_HEADER_BYTES.to_string(),
        ),
        ("http-max-body-bytes", d::HTTP_MAX_BODY_BYTES.to_string()),
        (
            "http-header-timeout",
            d::HTTP_HEADER_TIMEOUT_SECONDS.to_string(),
        ),
        ("redis-prefix", d::REDIS_PREFIX.to_string()),
        (
            "hls-format",
            if d::LOW_LATENCY { "ll" } else { "ts" }.to_string(),
        ),
    ] {
        let text = help(flag);
        assert!(
            text.contains(&format!("[default: {value}]")),
            "--{flag} says {text:?}, the default is {value}"
        );
    }
}

/// Ingest as a library defaults to what `liboo serve` runs.
#[test]
fn ingest_defaults_are_the_binarys() {
    let c = ServeArgs::default().resolve().unwrap();
    let ingest = liboo_ingest::IngestConfig::default();
    assert_eq!(ingest.part_target, c.part_target);
    assert_eq!(ingest.segment_target, c.segment_target);
    assert_eq!(ingest.reconnect_grace, c.reconnect_grace);
    assert_eq!(ingest.frame_interval, c.frame_interval);
    assert_eq!(ingest.handshake_timeout, c.rtmp_handshake_timeout);
    assert_eq!(ingest.idle_timeout, c.rtmp_idle_timeout);
    assert_eq!(ingest.max_message_bytes, c.rtmp_max_message_bytes);
    assert_eq!(ingest.max_chunk_streams, c.rtmp_max_chunk_streams);
    assert_eq!(ingest.read_batch, c.rtmp_read_batch);
    assert_eq!(ingest.min_free_bytes, c.storage_min_free);
    assert_eq!(ingest.max_connections_per_ip, c.rtmp_max_connections_per_ip);
}

#[test]
fn flags_beat_the_file_and_the_file_beats_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liboo.toml");
    std::fs::write(
        &path,
        "http_addr = \"127.0.0.1:9000\"\nroles = [\"api\"]\npublic_url = \"https://x.example/\"\n",
    )
    .unwrap();
    let args = ServeArgs {
        config: Some(path.clone()),
        http_addr: Some("127.0.0.1:9100".parse().unwrap()),
        ..ServeArgs::default()
    };
    let c = args.resolve().unwrap();
    assert_eq!(c.http_addr.port(), 9100);
    assert_eq!(c.roles, [Role::Api]);
    assert_eq!(c.media_public_url, "https://x.example/media");

    std::fs::write(&path, "htp_addr = \"x\"\n").unwrap();
    let err = ServeArgs {
        config: Some(path),
        ..ServeArgs::default()
    }
    .resolve()
    .unwrap_err();
    assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
}

#[test]
fn bad_values_say_which_setting() {
    let err = ServeArgs {
        segment_seconds: Some(0.0),
        ..ServeArgs::default()
    }
    .resolve()
    .unwrap_err();
    assert!(err.to_string().contains("--segment-seconds"));
    let err = ServeArgs {
        public_url: Some("localhost".into()),
        ..ServeArgs::default()
    }
    .resolve()
    .unwrap_err();
    assert!(err.to_string().contains("--public-url"));
    let err = ServeArgs {
        rtmp_max_message_bytes: Some(1 << 24),
        ..ServeArgs::default()
    }
    .resolve()
    .unwrap_err();
    assert!(
        err.to_string().contains("--rtmp-max-message-bytes"),
        "{err}"
    );
    let err = ServeArgs {
        http_header_timeout: Some(0.0),
        ..ServeArgs::default()
    }
    .resolve()
    .unwrap_err();
    assert!(err.to_string().contains("--http-header-timeout"), "{err}");
}

#[test]
fn limits_default_to_what_real_clients_need() {
    let c = ServeArgs::default().resolve().unwrap();
    // A 5 MB thumbnail grows by a third as base64 JSON.
    assert!(c.http_max_body_bytes >= 5 * 1024 * 1024 * 4 / 3 + 1024);
    assert_eq!(c.rtmp_max_message_bytes, 8 << 20);
    assert_eq!(c.rtmp_max_chunk_streams, 64);
    assert_eq!(c.rtmp_handshake_timeout, Duration::from_secs(10));
    assert_eq!(c.chat_max_payload_bytes, 64 << 10);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liboo.toml");
    std::fs::write(
        &path,
        "http_header_timeout = 2.5\nchat_max_payload_bytes = 4096\n",
    )
    .unwrap();
    let c = ServeArgs {
        config: Some(path),
        ..ServeArgs::default()
    }
    .resolve()
    .unwrap();
    assert_eq!(c.http_header_timeout, Duration::from_millis(2500));
    assert_eq!(c.chat_max_payload_bytes, 4096);
}

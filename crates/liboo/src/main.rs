//! The `liboo` binary: wires ingest, API, chat and media serving into one process, or
//! into several nodes by role.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use liboo_service::now_ms;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use liboo_api::ApiState;
use liboo_api::keys::KeyDeriver;
use liboo_db::Db;
use liboo_presence::Presence;
use liboo_storage::{MediaStore, S3Options};
use rand::RngExt;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

mod config;
mod http;
mod http_server;

use config::{Config, LogFormat, Role, ServeArgs};

/// Allocations of this size or more get their own mapping, returned to the system when
/// freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 256 << 10;

/// Makes glibc map every block of [`MMAP_THRESHOLD`] or more on its own, so that it goes
/// back to the system when freed. Without this, glibc raises the threshold to the size of
/// the first such block freed, and from then on keeps freed segment buffers (about
/// 700 KB each at 2.5 Mbit/s) in its per-thread arenas: at 32 streams, peak RSS 75-80 MB
/// against 52-54 MB with it, at the same CPU (three runs each, docs/BENCHMARKS.md).
/// Must run before any other thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn return_large_blocks_at_once() {
    // SAFETY: mallopt takes plain integers and only changes allocator settings; it runs
    // first thing in main, before any other thread can allocate.
    let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
    debug_assert_eq!(ok, 1, "mallopt(M_MMAP_THRESHOLD) refused");
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_at_once() {}

/// liboo: live streaming for tech conferences. Hosts publish from OBS over RTMP; viewers
/// watch HLS in the browser and ask the speaker questions in chat.
#[derive(Parser, Debug)]
#[command(name = "liboo", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// ServeArgs is large, but it is parsed once at start; boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Run liboo: every part on one machine by default (SQLite, local media, in-process
    /// chat); flags switch each part to MariaDB, Redis or S3 and choose roles.
    Serve(ServeArgs),
    /// Print the API's OpenAPI document (JSON).
    Openapi,
}

fn main() -> ExitCode {
    return_large_blocks_at_once();
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            print!("{}", liboo_api::openapi_json());
            ExitCode::SUCCESS
        }
        Command::Serve(args) => {
            let config = match args.resolve() {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("liboo: {e:#}");
                    return ExitCode::from(2);
                }
            };
            init_tracing(config.log_format);
            let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
            match runtime.block_on(serve(config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!("{e:#}");
                    eprintln!("liboo: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn init_tracing(format: LogFormat) {
    // object_store logs each of its request retries at info; the uploader logs a
    // failing store once, with what it cost.
    let filter = tracing_subscriber::EnvFilter::try_from_env("LIBOO_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,object_store=warn".into());
    // Colours only for a person at a terminal, not in a file, journald or a container log.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// The server secret: from configuration, or kept in the data dir (made on first start).
fn load_secret(config: &Config) -> anyhow::Result<String> {
    if let Some(secret) = &config.secret {
        if secret.len() < 16 {
            bail!("LIBOO_SECRET must be at least 16 characters");
        }
        return Ok(secret.clone());
    }
    let path = config.data_dir.join("secret");
    match std::fs::read_to_string(&path) {
        Ok(s) if !s.trim().is_empty() => return Ok(s.trim().to_owned()),
        Ok(_) => bail!(
            "{} is empty: delete it to make a new secret",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, &secret)?;
    tracing::info!(path = %path.display(), "generated a new server secret");
    Ok(secret)
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data dir {} (--data-dir)",
            config.data_dir.display()
        )
    })?;

    // Every backing service is checked before anything listens: a node either starts
    // whole or not at all.
    let db = Db::connect(&config.database_url).await.with_context(|| {
        format!(
            "cannot open the database {} (--database-url / LIBOO_DATABASE_URL)",
            liboo_db::redact(&config.database_url)
        )
    })?;
    let secret = load_secret(&config)?;
    let fingerprint = liboo_db::hash_secret(&format!("liboo secret fingerprint {secret}"));
    let stored = db
        .setting_get_or_init("secret_fingerprint", &fingerprint)
        .await?;
    if stored != fingerprint {
        bail!(
            "this database was set up with a different server secret; give every node the same \
             LIBOO_SECRET (or the secret file of the first node's data dir)"
        );
    }

    let node_id = format!("{:016x}", rand::rng().random::<u64>());
    let presence = match &config.redis_url {
        Some(url) => tokio::time::timeout(
            Duration::from_secs(10),
            Presence::redis(url, &config.redis_prefix, &node_id),
        )
        .await
        .map_err(|_| anyhow::anyhow!("timed out"))
        .and_then(|r| r.map_err(anyhow::Error::from))
        .with_context(|| format!("cannot reach Redis at {url} (--redis-url / LIBOO_REDIS_URL)"))?,
        None => Presence::local(&node_id),
    };

    let s3 = S3Options {
        endpoint: config.s3_endpoint.clone(),
        region: config.s3_region.clone(),
        path_style: config.s3_path_style,
        credentials: None,
    };
    let media = MediaStore::open(&config.storage_url, &s3).with_context(|| {
        format!(
            "cannot open media storage {} (--storage-url)",
            config.storage_url
        )
    })?;
    tokio::time::timeout(Duration::from_secs(15), media.ping())
        .await
        .map_err(|_| anyhow::anyhow!("timed out"))
        .and_then(|r| r.map_err(anyhow::Error::from))
        .with_context(|| {
            format!(
                "cannot reach media storage {} (--storage-url, --s3-endpoint)",
                config.storage_url
            )
        })?;

    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .context("cannot install the metrics recorder")?;
    metrics::gauge!("liboo_start_time_seconds").set(now_ms() as f64 / 1000.0);

    let mut room_keys = None;
    let api = config.has(Role::Api).then(|| {
        let state = ApiState::new(
            db.clone(),
            media.clone(),
            presence.clone(),
            KeyDeriver::new(secret.as_bytes()),
            liboo_api::PublicUrls {
                media: config.media_public_url.clone(),
                live_playlists: config.live_playlist_base(),
                live_playlist_name: config.live_playlist_name().to_owned(),
                ingest: config.rtmp_public_url.clone(),
            },
        );
        room_keys = Some(state.room_keys());
        liboo_api::router_with_body_limit(state, config.http_max_body_bytes)
    });
    let ingest = config.has(Role::Ingest).then(|| {
        let ingest_config = liboo_ingest::IngestConfig {
            segment_target: config.segment_target,
            reconnect_grace: config.reconnect_grace,
            frame_interval: config.frame_interval,
            max_connections_per_ip: config.rtmp_max_connections_per_ip,
            handshake_timeout: config.rtmp_handshake_timeout,
            idle_timeout: config.rtmp_idle_timeout,
            max_message_bytes: config.rtmp_max_message_bytes,
            max_chunk_streams: config.rtmp_max_chunk_streams,
            read_batch: config.rtmp_read_batch,
            min_free_bytes: config.storage_min_free,
            part_target: config.part_target,
            ladder: config.ladder.clone(),
            // Players get LL playlists from liboo; their parts come from the media base.
            media_uri_base: (config.live_playlist_base() != config.media_public_url)
                .then(|| config.media_public_url.clone()),
            ..liboo_ingest::IngestConfig::default()
        };
        liboo_ingest::Ingest::new(db.clone(), media.clone(), ingest_config)
    });
    let mut app = http::router(
        &config,
        http::HttpState {
            playlists: ingest.as_ref().map(liboo_ingest::Ingest::playlists),
            db: db.clone(),
            media: media.clone(),
            presence: presence.clone(),
            metrics,
            // RFC 8216bis §6.2.5.2: hold a blocking reload up to three target durations.
            reload_timeout: (config.segment_target * 9 / 2).min(Duration::from_secs(10)),
        },
        api,
    );
    if config.has(Role::Chat) {
        let keys = KeyDeriver::new(secret.as_bytes());
        let chat_config = liboo_chat::ChatConfig {
            rate_limit: config.chat_rate_limit,
            max_connections_per_ip: config.chat_max_connections_per_ip,
            max_payload_bytes: config.chat_max_payload_bytes,
            ..liboo_chat::ChatConfig::default()
        };
        app = liboo_chat::attach(
            app,
            db.clone(),
            presence.clone(),
            std::sync::Arc::new(move |user_id: &str| keys.session_key(user_id)),
            chat_config,
            config.redis_url.as_deref(),
        )
        .await
        .with_context(|| "cannot start chat on Redis (--redis-url / LIBOO_REDIS_URL)")?;
    }
    // Outside every route and the chat layer, to see each request's answer.
    let app = http::count_refusals(app);
    let rtmp_listener = if config.has(Role::Ingest) {
        let listener = tokio::net::TcpListener::bind(config.rtmp_addr)
            .await
            .with_context(|| format!("cannot listen on {} (--rtmp-addr)", config.rtmp_addr))?;
        Some(listener)
    } else {
        None
    };

    let http_listener = tokio::net::TcpListener::bind(config.http_addr)
        .await
        .with_context(|| format!("cannot listen on {} (--http-addr)", config.http_addr))?;
    let http_addr = http_listener.local_addr()?;

    let cancel = CancellationToken::new();
    let tasks = TaskTracker::new();
    tasks.spawn(presence.clone().run_heartbeat(cancel.clone()));
    tasks.spawn(liboo_ingest::sweep_abandoned(
        db.clone(),
        media.clone(),
        config.reconnect_grace,
        cancel.clone(),
    ));
    // Every API node sweeps talks; each change is a conditional update, so they agree.
    if let Some(room_keys) = room_keys {
        tasks.spawn(liboo_conference::sweeper::run(
            db.clone(),
            media.clone(),
            room_keys,
            cancel.clone(),
        ));
    }
    if let (Some(listener), Some(ingest)) = (rtmp_listener, ingest) {
        tasks.spawn(serve_ingest_on_its_own_thread(
            ingest,
            listener.into_std()?,
            cancel.clone(),
        ));
    }
    tasks.spawn(http_server::serve(
        http_listener,
        app,
        http_server::Limits {
            max_header_bytes: config.http_max_header_bytes,
            header_timeout: config.http_header_timeout,
        },
        cancel.clone(),
    ));

    print_banner(&config, http_addr, &media);
    tracing::info!(%http_addr, node_id, roles = ?config.roles, "liboo started");

    shutdown_signal(cancel.clone()).await;
    tracing::info!("shutting down: finishing open work");
    cancel.cancel();
    tasks.close();
    if tokio::time::timeout(Duration::from_secs(20), tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("some tasks did not finish within 20 s");
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Runs ingest (its listener, connections, packagers and uploaders) on a thread of its
/// own with a single-threaded runtime, until it has ended every broadcast after `cancel`.
/// On the shared multi-threaded runtime, a wake-up of a publisher's task often woke the
/// other worker too (a futex call and a context switch for nothing); on its own thread,
/// ingest spent about a fifth less CPU per stream (docs/BENCHMARKS.md, "Ingest"). One
/// thread covers far more streams than a node can take in (about 1 ms of CPU per stream
/// and second); file writes still go to the blocking pool.
async fn serve_ingest_on_its_own_thread(
    ingest: liboo_ingest::Ingest,
    listener: std::net::TcpListener,
    cancel: CancellationToken,
) {
    let (done, finished) = tokio::sync::oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("liboo-ingest".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .thread_name("liboo-ingest-blocking")
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    tracing::error!(error = %e, "cannot start the ingest runtime; RTMP publishing is off");
                    return;
                }
            };
            runtime.block_on(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => ingest.serve(listener, cancel).await,
                    Err(e) => tracing::error!(error = %e, "cannot listen for RTMP"),
                }
            });
            // Blocking work (file writes) of ended broadcasts is done by now.
            runtime.shutdown_timeout(Duration::from_secs(5));
            drop(done);
        });
    match spawned {
        Ok(_) => {
            let _ = finished.await;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot start the ingest thread; RTMP publishing is off")
        }
    }
}

/// What a person needs to start: where to go and what to type into OBS.
fn print_banner(config: &Config, http_addr: std::net::SocketAddr, media: &MediaStore) {
    let public = &config.public_url;
    println!(
        "liboo {} is running (roles: {:?})",
        env!("CARGO_PKG_VERSION"),
        config.roles
    );
    println!("  http     {public}  (listening on {http_addr})");
    if config.has(Role::Api) {
        println!("  api      {public}/api  (docs: {public}/api/docs)");
    }
    if config.has(Role::Ingest) {
        let host = public
            .split("://")
            .nth(1)
            .and_then(|h| h.split([':', '/']).next())
            .unwrap_or("localhost");
        println!(
            "  rtmp     rtmp://{host}:{}/live  (stream key: POST /api/host/key)",
            config.rtmp_addr.port()
        );
    }
    println!(
        "  media    {} , served at {}",
        media.describe(),
        config.media_public_url
    );
    println!("  data     {}", config.data_dir.display());
    println!("  database {}", liboo_db::redact(&config.database_url));
    match &config.redis_url {
        Some(url) => println!("  redis    {url}"),
        None => println!("  redis    not used (chat and viewer counts in this process)"),
    }
}

async fn shutdown_signal(cancel: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
            _ = cancel.cancelled() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::select! {
        _ = ctrl_c => {}
        _ = cancel.cancelled() => {}
    }
}

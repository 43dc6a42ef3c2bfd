//! `liboo-publish`: publish an FLV file over RTMP, once or in a loop, as one stream or many.
//!
//! Exit status: 0 when every publisher finished, 1 when the server refused a stream (its
//! onStatus code is printed), 2 on any other failure.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use liboo_publish::{Media, Options, PublishError, Target, publish_many};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Publish an FLV file to an RTMP server, paced like ffmpeg -re"
)]
struct Args {
    /// FLV file with H.264 video and AAC audio.
    input: String,
    /// rtmp://HOST:PORT/APP/KEY, or rtmp://HOST:PORT/APP with --keys / --keys-file.
    url: String,
    /// Stream keys, comma-separated: one concurrent publisher per key.
    #[arg(long, value_delimiter = ',')]
    keys: Vec<String>,
    /// File with one stream key per line: one concurrent publisher per key. A line that is a
    /// whole rtmp:// URL is published there instead (one server per stream, as with
    /// `ffmpeg -listen 1`).
    #[arg(long)]
    keys_file: Option<PathBuf>,
    /// Send as fast as the server takes it instead of in real time.
    #[arg(long)]
    fast: bool,
    /// Send the file this many times with continuous timestamps.
    #[arg(long, default_value_t = 1)]
    loops: u32,
    /// Stop after this many seconds of media (loops the file as needed).
    #[arg(long)]
    duration: Option<f64>,
    /// Milliseconds between the starts of consecutive publishers.
    #[arg(long, default_value_t = 0)]
    stagger_ms: u64,
    /// Outgoing RTMP chunk size.
    #[arg(long, default_value_t = 4096)]
    chunk_size: u32,
    /// Print one JSON line per publisher on stdout (key, start time, media, bytes).
    #[arg(long)]
    json: bool,
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("liboo-publish: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<u8> {
    let args = Args::parse();
    let mut keys = args.keys.clone();
    if let Some(path) = &args.keys_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read --keys-file {}", path.display()))?;
        keys.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    let targets = if keys.is_empty() {
        vec![Target::parse(&args.url)?]
    } else {
        // The URL names the app only; a dummy key makes it parse.
        let base = Target::parse(&format!("{}/-", args.url.trim_end_matches('/')))?;
        keys.iter()
            .map(|k| {
                if k.starts_with("rtmp://") {
                    Target::parse(k)
                } else {
                    Ok(base.with_key(k))
                }
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let media = Arc::new(Media::read(&args.input)?);
    let mut loops = args.loops.max(1);
    let max_media = match args.duration {
        Some(s) if s > 0.0 => {
            let d = Duration::from_secs_f64(s);
            let span = u128::from(media.loop_span_ms.max(1));
            loops = loops.max(d.as_millis().div_ceil(span) as u32);
            Some(d)
        }
        Some(_) => bail!("--duration must be positive"),
        None => None,
    };
    let options = Options {
        realtime: !args.fast,
        loops,
        max_media,
        chunk_size: args.chunk_size,
        ..Options::default()
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let results = runtime.block_on(publish_many(
        targets.clone(),
        media,
        options,
        Duration::from_millis(args.stagger_ms),
    ));
    let (mut refused, mut failed) = (false, false);
    for (target, result) in targets.iter().zip(results) {
        match result {
            Ok(r) => {
                if args.json {
                    println!(
                        "{{\"key\":\"{}\",\"ok\":true,\"startedUnixMs\":{},\"mediaMs\":{},\"tags\":{},\"bytes\":{},\"elapsedMs\":{},\"maxLateMs\":{}}}",
                        r.key.escape_default(),
                        r.started_unix_ms,
                        r.media_ms,
                        r.tags,
                        r.bytes,
                        r.elapsed.as_millis(),
                        r.max_late.as_millis()
                    );
                } else {
                    eprintln!(
                        "{}: published {:.1} s of media ({} tags, {} bytes) in {:.1} s",
                        r.key,
                        r.media_ms as f64 / 1000.0,
                        r.tags,
                        r.bytes,
                        r.elapsed.as_secs_f64()
                    );
                }
            }
            Err(e) => {
                match &e {
                    PublishError::Rejected { .. } => refused = true,
                    _ => failed = true,
                }
                eprintln!("{}: {e}", target.key);
                if args.json {
                    println!(
                        "{{\"key\":\"{}\",\"ok\":false,\"error\":\"{}\"}}",
                        target.key.escape_default(),
                        e.to_string().escape_default()
                    );
                }
            }
        }
    }
    Ok(if failed {
        2
    } else if refused {
        1
    } else {
        0
    })
}

//! Replays every committed reproducer under `regressions/<target>/` and every seed under
//! `corpus/<target>/` through the same driver the fuzz target uses, so a fixed crash stays fixed.
//! Runs with a plain `cargo test` in `fuzz/`, no sanitizer or nightly needed.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["regressions", "corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            eprintln!("{}", path.display());
            run(&data);
        }
    }
}

fn server_after_handshake(data: &[u8]) {
    liboo_fuzz::run_server(&liboo_fuzz::handshake_prefix(), data);
}

fn server_raw(data: &[u8]) {
    liboo_fuzz::run_server(&[], data);
}

#[test]
fn rtmp_chunk_reader() {
    replay("rtmp_chunk_reader", liboo_fuzz::run_chunk_reader);
}

#[test]
fn rtmp_server_session() {
    replay("rtmp_server_session", server_after_handshake);
}

#[test]
fn rtmp_server_raw() {
    replay("rtmp_server_raw", server_raw);
}

#[test]
fn rtmp_client_session() {
    replay("rtmp_client_session", liboo_fuzz::run_client);
}

#[test]
fn amf0_decode() {
    replay("amf0_decode", liboo_fuzz::run_amf0);
}

#[test]
fn flv_tag() {
    replay("flv_tag", liboo_fuzz::run_flv_tag);
}

#[test]
fn flv_file() {
    replay("flv_file", liboo_fuzz::run_flv_file);
}

#[test]
fn sps() {
    replay("sps", liboo_fuzz::run_sps);
}

#[test]
fn hls_playlist() {
    replay("hls_playlist", liboo_fuzz::run_hls_playlist);
}

#[test]
fn chat_payload() {
    replay("chat_payload", liboo_fuzz::run_chat_payload);
}

#[test]
fn thumbnail() {
    replay("thumbnail", liboo_fuzz::run_thumbnail);
}

#[test]
fn schedule_parse() {
    replay("schedule_parse", liboo_fuzz::run_schedule_parse);
}

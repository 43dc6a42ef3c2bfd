//! qa mode: one room under moderated-Q&A load (issue 18's benchmark).
//!
//!   chatload qa URL ROOM HOST_USER CLIENTS SERVER_PID SECS ACTIVE CHAT_MSGS_PER_S
//!
//! CLIENTS sockets join ROOM (client 0 with HOST_USER, the host). SECS clients each ask a
//! question; the host makes a four-option poll and opens it. Then for SECS seconds, each
//! second s, ACTIVE clients each upvote question s and vote option s % 4 (spread over the
//! first half of the second, so that each second's counts settle), while 4 other clients
//! chat at CHAT_MSGS_PER_S in total.
//!
//! Measured: chat delivery latency and losses (every client should get every message);
//! push latency of upvotes and of poll results as 40 tracking clients (none of them
//! voting) see them: from the last vote of second s being sent to the first push whose
//! count includes all of them (question s at ACTIVE upvotes; option s % 4 at ACTIVE
//! votes); whether the last counts every tracker saw are exact, and how long after the
//! last vote until they all were (settle_s, up to a minute); the server's CPU over the
//! window of votes.

use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::{addr_of, connect_all, cpu_secs, now_us, Ws};

const SENDERS: usize = 4;
const TRACKER_EVERY: usize = 100;
/// How long after the last vote the trackers may take to see the final counts.
const DRAIN_CAP: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Lat(Mutex<Vec<f64>>);

impl Lat {
    fn add(&self, ms: f64) {
        self.0.lock().unwrap().push(ms);
    }
    fn pct(&self, p: f64) -> f64 {
        let mut v = self.0.lock().unwrap().clone();
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[(((v.len() as f64) * p).ceil() as usize).clamp(1, v.len()) - 1]
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

struct Qa {
    active: usize,
    secs: usize,
    joined: AtomicUsize,
    exceptions: AtomicU64,
    closed: AtomicU64,
    /// question text index -> questionId, from the host's receive_question.
    questions: Mutex<HashMap<usize, i64>>,
    poll_id: AtomicU64,
    poll_open_seen: AtomicUsize,
    /// Per second: when the last upvote / vote was sent, and how many were.
    up_last: Vec<AtomicU64>,
    up_sent: Vec<AtomicUsize>,
    vote_last: Vec<AtomicU64>,
    vote_sent: Vec<AtomicUsize>,
    chat_sent: AtomicU64,
    chat_delivered: AtomicU64,
    chat_lat: Lat,
    up_lat: Lat,
    poll_lat: Lat,
    /// Each tracker's last seen upvotes per question, and last poll counts.
    final_up: Mutex<Vec<HashMap<i64, i64>>>,
    final_poll: Mutex<Vec<Vec<i64>>>,
}

fn field_i64(t: &str, name: &str) -> Option<i64> {
    let key = format!("\"{name}\":");
    let i = t.find(&key)? + key.len();
    let rest = &t[i..];
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn field_array(t: &str, name: &str) -> Option<Vec<i64>> {
    let key = format!("\"{name}\":[");
    let i = t.find(&key)? + key.len();
    let rest = &t[i..];
    let end = rest.find(']')?;
    Some(rest[..end].split(',').filter(|x| !x.is_empty()).filter_map(|x| x.parse().ok()).collect())
}

fn field_str<'a>(t: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("\"{name}\":\"");
    let i = t.find(&key)? + key.len();
    let rest = &t[i..];
    Some(&rest[..rest.find('"')?])
}

/// What a tracker has seen so far: seconds whose upvotes and votes it saw complete.
#[derive(Default)]
struct Seen {
    up: Vec<bool>,
    poll: Vec<bool>,
}

fn on_frame(q: &Qa, idx: usize, tracker: Option<usize>, seen: &mut Seen, t: &str) -> Option<&'static str> {
    if t == "2" {
        return Some("3");
    }
    let recv = now_us();
    if t.starts_with("42[\"receive_normal_chat\"") {
        if let Some(msg) = field_str(t, "msg") {
            if let Some(sent) = msg.strip_prefix("c|").and_then(|s| s.parse::<u64>().ok()) {
                q.chat_delivered.fetch_add(1, Relaxed);
                q.chat_lat.add(recv.saturating_sub(sent) as f64 / 1000.0);
            }
        }
    } else if t.starts_with("42[\"receive_init_data\"") {
        q.joined.fetch_add(1, Relaxed);
    } else if t.starts_with("42[\"receive_question\",") && idx == 0 {
        if let (Some(msg), Some(id)) = (field_str(t, "msg"), field_i64(t, "questionId")) {
            if let Some(k) = msg.strip_prefix("q|").and_then(|s| s.parse().ok()) {
                q.questions.lock().unwrap().insert(k, id);
            }
        }
    } else if t.starts_with("42[\"receive_poll\"") {
        let state = field_str(t, "state");
        if idx == 0 && state == Some("draft") {
            q.poll_id.store(field_i64(t, "pollId").unwrap_or(0) as u64, Relaxed);
        }
        if state == Some("open") && t.contains("\"voters\":0") {
            q.poll_open_seen.fetch_add(1, Relaxed);
        }
        if let (Some(k), Some(counts)) = (tracker, field_array(t, "counts")) {
            // The earliest second not seen yet whose votes were all sent and are all in.
            for s in 0..q.secs {
                if !seen.poll[s] && q.vote_sent[s].load(Relaxed) == q.active && counts.get(s % 4) == Some(&(q.active as i64)) {
                    seen.poll[s] = true;
                    q.poll_lat.add(recv.saturating_sub(q.vote_last[s].load(Relaxed)) as f64 / 1000.0);
                    break;
                }
            }
            q.final_poll.lock().unwrap()[k] = counts;
        }
    } else if t.starts_with("42[\"receive_question_upvote\"") {
        if let (Some(k), Some(id), Some(n)) = (tracker, field_i64(t, "questionId"), field_i64(t, "upvotes")) {
            let second = q.questions.lock().unwrap().iter().find(|(_, v)| **v == id).map(|(s, _)| *s);
            if let Some(s) = second.filter(|s| *s < q.secs) {
                if !seen.up[s] && n == q.active as i64 && q.up_sent[s].load(Relaxed) == q.active {
                    seen.up[s] = true;
                    q.up_lat.add(recv.saturating_sub(q.up_last[s].load(Relaxed)) as f64 / 1000.0);
                }
            }
            q.final_up.lock().unwrap()[k].insert(id, n);
        }
    } else if t.starts_with("42[\"exception\"") && q.exceptions.fetch_add(1, Relaxed) < 3 {
        eprintln!("exception from server: {t}");
    }
    None
}

/// What the driver has a client send: a frame, and which second's upvote or vote it is.
enum Cmd {
    Frame(String),
    Upvote(usize, String),
    Vote(usize, String),
}

async fn client(q: Arc<Qa>, mut ws: Ws, idx: usize, user: String, room: String, mut rx: mpsc::UnboundedReceiver<Cmd>) {
    let tracker = (idx >= q.active + SENDERS + 1 && idx % TRACKER_EVERY == 0).then_some(idx / TRACKER_EVERY);
    let mut seen = Seen { up: vec![false; q.secs], poll: vec![false; q.secs] };
    let join = format!("42[\"join_room\",{{\"roomId\":\"{room}\",\"userId\":\"{user}\"}}]");
    if ws.send(Message::text(join)).await.is_err() {
        q.closed.fetch_add(1, Relaxed);
        return;
    }
    loop {
        tokio::select! {
            cmd = rx.recv() => {
                let (frame, mark) = match cmd {
                    None => return,
                    Some(Cmd::Frame(f)) => (f, None),
                    Some(Cmd::Upvote(s, f)) => (f, Some((true, s))),
                    Some(Cmd::Vote(s, f)) => (f, Some((false, s))),
                };
                if ws.send(Message::text(frame)).await.is_err() { break; }
                if let Some((up, s)) = mark {
                    let (last, sent) = if up { (&q.up_last[s], &q.up_sent[s]) } else { (&q.vote_last[s], &q.vote_sent[s]) };
                    last.fetch_max(now_us(), Relaxed);
                    sent.fetch_add(1, Relaxed);
                }
            }
            m = ws.next() => match m {
                Some(Ok(Message::Text(t))) => {
                    if let Some(r) = on_frame(&q, idx, tracker, &mut seen, &t) {
                        if ws.send(Message::text(r)).await.is_err() { break; }
                    }
                }
                Some(Ok(_)) => {}
                _ => break,
            }
        }
    }
    q.closed.fetch_add(1, Relaxed);
}

fn event(name: &str, room: &str, user: &str, rest: &str) -> String {
    format!("42[\"{name}\",{{\"roomId\":\"{room}\",\"userId\":\"{user}\"{rest}}}]")
}

async fn wait_for(what: &str, secs: u64, done: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("timed out waiting for {what}");
    false
}

pub async fn qa(args: Vec<String>) {
    let url = args[2].clone();
    let room = args[3].clone();
    let host = args[4].clone();
    let n: usize = args[5].parse().unwrap();
    let pid = args[6].clone();
    let secs: usize = args[7].parse().unwrap();
    let active: usize = args[8].parse().unwrap();
    let chat_rate: f64 = args[9].parse().unwrap();
    assert!(n > active + SENDERS + TRACKER_EVERY, "CLIENTS must exceed ACTIVE + senders + trackers");
    let per_second = || (0..secs).map(|_| AtomicU64::new(0)).collect::<Vec<_>>();
    let per_second_n = || (0..secs).map(|_| AtomicUsize::new(0)).collect::<Vec<_>>();
    let trackers = n / TRACKER_EVERY + 1;
    let q = Arc::new(Qa {
        active,
        secs,
        joined: AtomicUsize::new(0),
        exceptions: AtomicU64::new(0),
        closed: AtomicU64::new(0),
        questions: Mutex::default(),
        poll_id: AtomicU64::new(0),
        poll_open_seen: AtomicUsize::new(0),
        up_last: per_second(),
        up_sent: per_second_n(),
        vote_last: per_second(),
        vote_sent: per_second_n(),
        chat_sent: AtomicU64::new(0),
        chat_delivered: AtomicU64::new(0),
        chat_lat: Lat::default(),
        up_lat: Lat::default(),
        poll_lat: Lat::default(),
        final_up: Mutex::new(vec![HashMap::new(); trackers]),
        final_poll: Mutex::new(vec![Vec::new(); trackers]),
    });
    let t0 = Instant::now();
    let socks = connect_all(&url, addr_of(&url), n).await;
    let n_ok = socks.len();
    let mut tx = Vec::with_capacity(n_ok);
    let users: Vec<String> = (0..n_ok).map(|i| if i == 0 { host.clone() } else { format!("qa-bench-{i}") }).collect();
    for (i, ws) in socks.into_iter().enumerate() {
        let (s, r) = mpsc::unbounded_channel();
        tx.push(s);
        tokio::spawn(client(q.clone(), ws, i, users[i].clone(), room.clone(), r));
    }
    let ready = wait_for("every join", 120, || q.joined.load(Relaxed) >= n_ok).await;
    eprintln!("{n_ok}/{n} joined in {:.1}s", t0.elapsed().as_secs_f64());
    // One question per second of the run, then the poll.
    for s in 0..secs {
        let f = event("send_question", &room, &users[s + 1], &format!(",\"msg\":\"q|{s}\""));
        tx[s + 1].send(Cmd::Frame(f)).ok();
    }
    let asked = wait_for("the questions", 60, || q.questions.lock().unwrap().len() >= secs).await;
    let poll = ",\"question\":\"Which one?\",\"options\":[\"a\",\"b\",\"c\",\"d\"],\"multiple\":false";
    tx[0].send(Cmd::Frame(event("send_poll_create", &room, &host, poll))).ok();
    let made = wait_for("the poll", 30, || q.poll_id.load(Relaxed) > 0).await;
    let poll_id = q.poll_id.load(Relaxed);
    tx[0].send(Cmd::Frame(event("send_poll_open", &room, &host, &format!(",\"pollId\":{poll_id}")))).ok();
    let opened = wait_for("the poll to open everywhere", 60, || q.poll_open_seen.load(Relaxed) >= n_ok).await;
    println!(
        "{{\"mode\":\"qa_setup\",\"clients\":{n},\"connected\":{n_ok},\"ready\":{},\"setup_s\":{:.1}}}",
        ready && asked && made && opened,
        t0.elapsed().as_secs_f64()
    );
    if !(ready && asked && made && opened) {
        return;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    let ids: Vec<i64> = {
        let m = q.questions.lock().unwrap();
        (0..secs).map(|s| m[&s]).collect()
    };
    let (s0, g0, w0) = (cpu_secs(&pid), cpu_secs("self"), Instant::now());
    let chat_every = Duration::from_secs_f64(1.0 / chat_rate.max(0.001));
    let mut chat_tick = tokio::time::interval(chat_every);
    let slice = Duration::from_millis(10);
    let mut tick = tokio::time::interval(slice);
    let slices_per_s = 100;
    let mut sender = 0usize;
    for s in 0..secs {
        for k in 0..slices_per_s {
            // This slice's share of the second's voters: all in the first half second,
            // so each second's counts settle and a tracker can see when they are complete.
            let voting = slices_per_s / 2;
            let (from, to) = if k < voting {
                (active * k / voting, active * (k + 1) / voting)
            } else {
                (0, 0)
            };
            for v in from..to {
                let i = v + 1;
                let up = event("send_question_upvote", &room, &users[i], &format!(",\"questionId\":{}", ids[s]));
                let vote = event("send_poll_vote", &room, &users[i], &format!(",\"pollId\":{poll_id},\"options\":[{}]", s % 4));
                tx[i].send(Cmd::Upvote(s, up)).ok();
                tx[i].send(Cmd::Vote(s, vote)).ok();
            }
            loop {
                tokio::select! {
                    _ = tick.tick() => break,
                    _ = chat_tick.tick(), if chat_rate > 0.0 => {
                        let i = active + 1 + sender % SENDERS;
                        sender += 1;
                        let f = event("send_normal_chat", &room, &users[i], &format!(",\"msg\":\"c|{}\"", now_us()));
                        q.chat_sent.fetch_add(1, Relaxed);
                        tx[i].send(Cmd::Frame(f)).ok();
                    }
                }
            }
        }
    }
    let window = w0.elapsed().as_secs_f64();
    let (s1, g1) = (cpu_secs(&pid), cpu_secs("self"));
    // Settle: wait until every tracker's last counts are exact (or DRAIN_CAP passes), and
    // report how long after the last vote that took.
    let trackers_used: Vec<usize> = (0..trackers).filter(|k| k * TRACKER_EVERY >= active + SENDERS + 1 && k * TRACKER_EVERY < n_ok).collect();
    let last = (secs - 1) % 4;
    let exact = || {
        let fu = q.final_up.lock().unwrap();
        let fp = q.final_poll.lock().unwrap();
        let mut want = vec![0i64; 4];
        want[last] = active as i64;
        let up = trackers_used.iter().filter(|&&k| ids.iter().all(|id| fu[k].get(id) == Some(&(active as i64)))).count();
        let poll = trackers_used.iter().filter(|&&k| fp[k] == want).count();
        (up, poll)
    };
    let settled_at = Instant::now();
    let mut settle_s = None;
    while settled_at.elapsed() < DRAIN_CAP {
        let (up, poll) = exact();
        if up == trackers_used.len() && poll == trackers_used.len() {
            settle_s = Some(settled_at.elapsed().as_secs_f64());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Chat still arriving after the window counts too; give it the same drain.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (exact_up, exact_poll) = exact();
    let chat_sent = q.chat_sent.load(Relaxed);
    let chat_expected = chat_sent * n_ok as u64;
    let chat_delivered = q.chat_delivered.load(Relaxed);
    println!(
        "{{\"mode\":\"qa\",\"clients\":{n_ok},\"active\":{active},\"secs\":{secs},\"window_s\":{window:.1},\
\"upvotes_sent\":{},\"votes_sent\":{},\"chat_sent\":{chat_sent},\"chat_per_s\":{:.0},\"chat_delivered\":{chat_delivered},\"chat_expected\":{chat_expected},\
\"chat_p50_ms\":{:.1},\"chat_p99_ms\":{:.1},\"upvote_push_samples\":{},\"upvote_push_p50_ms\":{:.1},\"upvote_push_p99_ms\":{:.1},\
\"poll_push_samples\":{},\"poll_push_p50_ms\":{:.1},\"poll_push_p99_ms\":{:.1},\"trackers\":{},\"exact_upvotes\":{exact_up},\"exact_poll\":{exact_poll},\
\"settle_s\":{},\"server_cpu_s\":{:.2},\"server_cores\":{:.2},\"gen_cores\":{:.2},\"exceptions\":{},\"closed\":{}}}",
        q.up_sent.iter().map(|x| x.load(Relaxed)).sum::<usize>(),
        q.vote_sent.iter().map(|x| x.load(Relaxed)).sum::<usize>(),
        chat_sent as f64 / window,
        q.chat_lat.pct(0.5),
        q.chat_lat.pct(0.99),
        q.up_lat.len(),
        q.up_lat.pct(0.5),
        q.up_lat.pct(0.99),
        q.poll_lat.len(),
        q.poll_lat.pct(0.5),
        q.poll_lat.pct(0.99),
        trackers_used.len(),
        settle_s.map_or("null".to_owned(), |s| format!("{s:.1}")),
        s1 - s0,
        (s1 - s0) / window,
        (g1 - g0) / window,
        q.exceptions.load(Relaxed),
        q.closed.load(Relaxed),
    );
}

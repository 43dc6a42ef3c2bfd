//! chatload: a socket.io load generator speaking engine.io v4 / socket.io v5 text frames
//! directly over a websocket (no socket.io client library), for bench/chat/run.sh.
//!
//! rate mode:  chatload rate URL ROOM CLIENTS SENDERS SERVER_PID STEP_SECS TARGET1,TARGET2,...
//!   Connects CLIENTS sockets, joins them all to ROOM, then for each target (deliveries/s)
//!   has SENDERS of them emit `send_normal_chat` at TARGET/CLIENTS messages/s in total for
//!   STEP_SECS. Each msg carries `b|step|id|send_time_us`; every receiver measures delivery
//!   latency and counts deliveries per message id (expected: CLIENTS per message, the sender
//!   included). One JSON line per step. Stops after two steps in a row fail
//!   (loss > 0 or p99 >= 250 ms).
//! qa mode: see `qa.rs` (moderated Q&A under load: upvotes, a poll, chat).
//! idle mode:  chatload idle URL CLIENTS SERVER_PID
//!   Opens CLIENTS sockets (socket.io connected, no room), prints the server's VmRSS before
//!   and after as JSON.
//!
//! Env JOIN_RATE=n paces the joins at n per second (default: all at once); WARM_ROUNDS=n
//! (default 150) bounds the wait for the room, 2 s per round.
//!
//! URL is `ws://127.0.0.1:PORT/chat/socket.io/?EIO=4&transport=websocket`. Clients bind to
//! 127.0.0.2..127.0.0.51 round robin so repeated runs do not run out of ephemeral ports.

mod qa;

use futures_util::{SinkExt, StreamExt};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpSocket;
use tokio::sync::{watch, Semaphore};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{client_async_with_config, WebSocketStream};

type Ws = WebSocketStream<tokio::net::TcpStream>;

const BUCKET_US: u64 = 100; // histogram resolution
const BUCKETS: usize = 300_000; // up to 30 s

struct Step {
    counts: Vec<AtomicU32>,
    hist: Vec<AtomicU32>,
    delivered: AtomicU64,
    in_window: AtomicU64,
    window_open: AtomicBool,
    next_id: AtomicU64,
}

impl Step {
    fn new(max_msgs: usize) -> Self {
        Step {
            counts: (0..max_msgs).map(|_| AtomicU32::new(0)).collect(),
            hist: (0..BUCKETS).map(|_| AtomicU32::new(0)).collect(),
            delivered: AtomicU64::new(0),
            in_window: AtomicU64::new(0),
            window_open: AtomicBool::new(false),
            next_id: AtomicU64::new(0),
        }
    }
    fn pct(&self, p: f64) -> f64 {
        let total: u64 = self.delivered.load(Relaxed);
        if total == 0 {
            return f64::NAN;
        }
        let want = ((total as f64) * p).ceil() as u64;
        let mut acc = 0u64;
        for (i, b) in self.hist.iter().enumerate() {
            acc += b.load(Relaxed) as u64;
            if acc >= want {
                return ((i as u64 + 1) * BUCKET_US) as f64 / 1000.0;
            }
        }
        (BUCKETS as u64 * BUCKET_US) as f64 / 1000.0
    }
}

struct Shared {
    steps: Vec<Step>,
    warm: AtomicUsize,
    warm_round: AtomicU64,
    exceptions: AtomicU64,
    closed: AtomicU64,
    joined: AtomicUsize,
    connected: AtomicUsize,
    room: String,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Phase {
    Idle,
    Warm(u64),
    Send { step: usize, interval_us: u64 },
    Quit,
}

fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_micros() as u64
}

fn cpu_secs(pid: &str) -> f64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(rest) = s.rsplit_once(") ").map(|x| x.1) else {
        return f64::NAN;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ut: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
    let st: f64 = f.get(12).and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
    (ut + st) / 100.0
}

fn vmrss_kib(pid: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

async fn connect(url: &str, host_port: SocketAddr, idx: usize) -> Result<Ws, String> {
    let sock = TcpSocket::new_v4().map_err(|e| e.to_string())?;
    let src = Ipv4Addr::new(127, 0, 0, 2 + (idx % 50) as u8);
    sock.bind(SocketAddr::new(IpAddr::V4(src), 0)).map_err(|e| e.to_string())?;
    let tcp = sock.connect(host_port).await.map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).ok();
    // tungstenite's default 128 KiB read buffer is zeroed on every read: 4 KiB keeps the
    // generator cheap (it was half of its CPU) and small with 10,000 sockets.
    let cfg = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let (mut ws, _) = client_async_with_config(url, tcp, Some(cfg)).await.map_err(|e| e.to_string())?;
    // engine.io open packet
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) if t.starts_with('0') => break,
            Some(Ok(_)) => continue,
            other => return Err(format!("no open packet: {other:?}")),
        }
    }
    ws.send(Message::text("40")).await.map_err(|e| e.to_string())?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) if t.starts_with("40") => break,
            Some(Ok(Message::Text(t))) if t.as_str() == "2" => {
                ws.send(Message::text("3")).await.map_err(|e| e.to_string())?;
            }
            Some(Ok(Message::Text(t))) if t.starts_with("44") => return Err(format!("refused: {t}")),
            Some(Ok(_)) => continue,
            other => return Err(format!("no connect ack: {other:?}")),
        }
    }
    Ok(ws)
}

/// Handles one received text frame; returns a reply (pong) if needed.
fn on_frame(sh: &Shared, t: &str) -> Option<&'static str> {
    if t == "2" {
        return Some("3");
    }
    if !t.starts_with("42[\"receive_normal_chat\"") {
        if t.starts_with("42[\"exception\"") {
            if sh.exceptions.fetch_add(1, Relaxed) < 3 {
                eprintln!("exception from server: {t}");
            }
        }
        return None;
    }
    let recv = now_us();
    let i = t.find("\"msg\":\"")? + 7;
    let rest = &t[i..];
    let end = rest.find('"')?;
    let mut it = rest[..end].split('|');
    let kind = it.next()?;
    match kind {
        "w" => {
            let r: u64 = it.next()?.parse().ok()?;
            if r == sh.warm_round.load(Relaxed) {
                sh.warm.fetch_add(1, Relaxed);
            }
        }
        "b" => {
            let step: usize = it.next()?.parse().ok()?;
            let id: usize = it.next()?.parse().ok()?;
            let sent: u64 = it.next()?.parse().ok()?;
            let st = sh.steps.get(step)?;
            if let Some(c) = st.counts.get(id) {
                c.fetch_add(1, Relaxed);
            }
            let b = (recv.saturating_sub(sent) / BUCKET_US) as usize;
            st.hist[b.min(BUCKETS - 1)].fetch_add(1, Relaxed);
            st.delivered.fetch_add(1, Relaxed);
            if st.window_open.load(Relaxed) {
                st.in_window.fetch_add(1, Relaxed);
            }
        }
        _ => {}
    }
    None
}

fn chat_frame(room: &str, user: &str, msg: &str) -> String {
    format!("42[\"send_normal_chat\",{{\"roomId\":\"{room}\",\"userId\":\"{user}\",\"msg\":\"{msg}\"}}]")
}

async fn client(sh: Arc<Shared>, ws: Ws, idx: usize, sender: Option<watch::Receiver<Phase>>) {
    client_inner(sh.clone(), ws, idx, sender).await;
    sh.closed.fetch_add(1, Relaxed); // the connection ended (closed by the server or an error)
}

async fn client_inner(sh: Arc<Shared>, mut ws: Ws, idx: usize, sender: Option<watch::Receiver<Phase>>) {
    let user = format!("bench-viewer-{idx}");
    let join = format!(
        "42[\"join_room\",{{\"roomId\":\"{}\",\"userId\":\"{user}\"}}]",
        sh.room
    );
    // JOIN_RATE=n (env): joins paced at n per second instead of all at once
    if let Some(rate) = std::env::var("JOIN_RATE").ok().and_then(|v| v.parse::<f64>().ok()).filter(|r| *r > 0.0) {
        tokio::time::sleep(Duration::from_secs_f64(idx as f64 / rate)).await;
    }
    if ws.send(Message::text(join)).await.is_err() {
        return;
    }
    sh.joined.fetch_add(1, Relaxed);
    let Some(mut rx) = sender else {
        while let Some(Ok(m)) = ws.next().await {
            if let Message::Text(t) = m {
                if let Some(r) = on_frame(&sh, &t) {
                    if ws.send(Message::text(r)).await.is_err() {
                        return;
                    }
                }
            }
        }
        return;
    };
    let mut phase = *rx.borrow();
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            ch = rx.changed() => {
                if ch.is_err() { return; }
                phase = *rx.borrow_and_update();
                match phase {
                    Phase::Warm(n) if idx == 0 => {
                        let f = chat_frame(&sh.room, &user, &format!("w|{n}"));
                        if ws.send(Message::text(f)).await.is_err() { return; }
                    }
                    Phase::Send { interval_us, .. } => {
                        // stagger the senders within one interval
                        let offset = (idx as u64 * 7919) % interval_us.max(1);
                        tick = tokio::time::interval_at(
                            tokio::time::Instant::now() + Duration::from_micros(offset),
                            Duration::from_micros(interval_us),
                        );
                    }
                    Phase::Quit => return,
                    _ => {}
                }
            }
            _ = tick.tick(), if matches!(phase, Phase::Send { .. }) => {
                if let Phase::Send { step, .. } = phase {
                    let st = &sh.steps[step];
                    let id = st.next_id.fetch_add(1, Relaxed);
                    if (id as usize) < st.counts.len() {
                        let f = chat_frame(&sh.room, &user, &format!("b|{step}|{id}|{}", now_us()));
                        if ws.send(Message::text(f)).await.is_err() { return; }
                    }
                }
            }
            m = ws.next() => {
                match m {
                    Some(Ok(Message::Text(t))) => {
                        if let Some(r) = on_frame(&sh, &t) {
                            if ws.send(Message::text(r)).await.is_err() { return; }
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => return,
                }
            }
        }
    }
}

async fn connect_all(
    url: &str,
    addr: SocketAddr,
    n: usize,
) -> Vec<Ws> {
    let sem = Arc::new(Semaphore::new(200));
    let mut hs = Vec::with_capacity(n);
    for i in 0..n {
        let sem = sem.clone();
        let url = url.to_string();
        hs.push(tokio::spawn(async move {
            let _p = sem.acquire_owned().await.unwrap();
            for attempt in 0..5 {
                match connect(&url, addr, i).await {
                    Ok(ws) => return Some(ws),
                    Err(e) => {
                        if attempt == 4 {
                            eprintln!("client {i}: {e}");
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
            None
        }));
    }
    let mut out = Vec::with_capacity(n);
    for h in hs {
        if let Some(ws) = h.await.unwrap() {
            out.push(ws);
        }
    }
    out
}

fn addr_of(url: &str) -> SocketAddr {
    let hp = url.trim_start_matches("ws://").split('/').next().unwrap();
    hp.parse().expect("URL host must be IP:PORT")
}

async fn idle(args: Vec<String>) {
    let url = args[2].clone();
    let n: usize = args[3].parse().unwrap();
    let pid = args[4].clone();
    let before = vmrss_kib(&pid);
    let t0 = Instant::now();
    let socks = connect_all(&url, addr_of(&url), n).await;
    let connect_s = t0.elapsed().as_secs_f64();
    let ok = socks.len();
    // keep answering pings while we wait for the server to settle
    let sh = Arc::new(Shared {
        steps: vec![],
        warm: AtomicUsize::new(0),
        warm_round: AtomicU64::new(u64::MAX),
        exceptions: AtomicU64::new(0),
        closed: AtomicU64::new(0),
        joined: AtomicUsize::new(0),
        connected: AtomicUsize::new(ok),
        room: String::new(),
    });
    for mut ws in socks {
        let sh = sh.clone();
        tokio::spawn(async move {
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Text(t) = m {
                    if let Some(r) = on_frame(&sh, &t) {
                        let _ = ws.send(Message::text(r)).await;
                    }
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = vmrss_kib(&pid);
    let per = (after as f64 - before as f64) / ok.max(1) as f64;
    println!(
        "{{\"mode\":\"idle\",\"clients\":{n},\"connected\":{ok},\"connect_s\":{connect_s:.1},\"rss_before_kib\":{before},\"rss_after_kib\":{after},\"kib_per_conn\":{per:.2},\"gen_cpu_s\":{:.2}}}",
        cpu_secs("self")
    );
    let _ = sh.connected.load(Relaxed);
}

async fn rate(args: Vec<String>) {
    let url = args[2].clone();
    let room = args[3].clone();
    let n: usize = args[4].parse().unwrap();
    let senders: usize = args[5].parse().unwrap();
    let pid = args[6].clone();
    let step_secs: f64 = args[7].parse().unwrap();
    let targets: Vec<f64> = args[8].split(',').map(|x| x.parse().unwrap()).collect();

    let steps = targets
        .iter()
        .map(|t| Step::new(((t / n as f64) * step_secs * 1.2) as usize + 100))
        .collect();
    let t0 = Instant::now();
    let socks = connect_all(&url, addr_of(&url), n).await;
    let n_ok = socks.len();
    eprintln!("connected {n_ok}/{n} in {:.1}s", t0.elapsed().as_secs_f64());
    let sh = Arc::new(Shared {
        steps,
        warm: AtomicUsize::new(0),
        warm_round: AtomicU64::new(u64::MAX),
        exceptions: AtomicU64::new(0),
        closed: AtomicU64::new(0),
        joined: AtomicUsize::new(0),
        connected: AtomicUsize::new(n_ok),
        room,
    });
    let (tx, rx) = watch::channel(Phase::Idle);
    for (i, ws) in socks.into_iter().enumerate() {
        let s = if i < senders { Some(rx.clone()) } else { None };
        tokio::spawn(client(sh.clone(), ws, i, s));
    }
    // Warm-up: one message from sender 0 must reach every client (so all joins are done,
    // and anything the joins made the server send is already out).
    let tj = Instant::now();
    let mut warm_ok = false;
    let rounds: u64 = std::env::var("WARM_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(150);
    for round in 0..rounds {
        sh.warm.store(0, Relaxed);
        sh.warm_round.store(round, Relaxed);
        tx.send(Phase::Warm(round)).ok();
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if sh.warm.load(Relaxed) >= n_ok {
                warm_ok = true;
                break;
            }
        }
        tx.send(Phase::Idle).ok();
        if warm_ok {
            break;
        }
    }
    eprintln!(
        "joined {}/{} (warm {}), room ready after {:.1}s",
        sh.joined.load(Relaxed),
        n_ok,
        sh.warm.load(Relaxed),
        tj.elapsed().as_secs_f64()
    );
    println!(
        "{{\"mode\":\"setup\",\"clients\":{n},\"connected\":{n_ok},\"room_ready\":{warm_ok},\"setup_s\":{:.1},\"exceptions\":{},\"closed\":{}}}",
        t0.elapsed().as_secs_f64(),
        sh.exceptions.load(Relaxed),
        sh.closed.load(Relaxed)
    );
    if !warm_ok {
        tx.send(Phase::Quit).ok();
        return;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut fails = 0;
    for (k, target) in targets.iter().enumerate() {
        let msgs_per_s = target / n_ok as f64;
        let interval_us = ((senders as f64 / msgs_per_s) * 1e6) as u64;
        let st = &sh.steps[k];
        let (s0, g0, w0) = (cpu_secs(&pid), cpu_secs("self"), Instant::now());
        st.window_open.store(true, Relaxed);
        tx.send(Phase::Send { step: k, interval_us }).ok();
        tokio::time::sleep(Duration::from_secs_f64(step_secs)).await;
        tx.send(Phase::Idle).ok();
        st.window_open.store(false, Relaxed);
        let window = w0.elapsed().as_secs_f64();
        // drain: wait (at most 5 s) until every message sent so far reached every client
        let drain0 = Instant::now();
        tokio::time::sleep(Duration::from_millis(100)).await;
        loop {
            let sent = (st.next_id.load(Relaxed) as usize).min(st.counts.len());
            if st.delivered.load(Relaxed) >= (sent * n_ok) as u64
                || drain0.elapsed() > Duration::from_secs(5)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (s1, g1, total_s) = (cpu_secs(&pid), cpu_secs("self"), w0.elapsed().as_secs_f64());
        // a sender may have ticked once more while the phase changed
        let sent = (st.next_id.load(Relaxed) as usize).min(st.counts.len());
        let expected = (sent * n_ok) as u64;
        let delivered = st.delivered.load(Relaxed);
        let lost: u64 = st.counts[..sent]
            .iter()
            .map(|c| (n_ok as u64).saturating_sub(c.load(Relaxed) as u64))
            .sum();
        let p50 = st.pct(0.50);
        let p99 = st.pct(0.99);
        let max = st.pct(1.0);
        let ok = lost == 0 && p99 < 250.0;
        let server_cpu = s1 - s0;
        let gen_cpu = g1 - g0;
        println!(
            "{{\"mode\":\"step\",\"clients\":{n_ok},\"target_dps\":{target},\"msgs_sent\":{sent},\"window_s\":{window:.2},\"total_s\":{total_s:.2},\"delivered\":{delivered},\"expected\":{expected},\"lost\":{lost},\"delivered_per_s\":{:.0},\"p50_ms\":{p50:.1},\"p99_ms\":{p99:.1},\"max_ms\":{max:.1},\"server_cpu_s\":{server_cpu:.2},\"server_cpu_s_per_m\":{:.2},\"server_cores\":{:.2},\"gen_cpu_s\":{gen_cpu:.2},\"gen_cores\":{:.2},\"loadavg1\":{},\"closed\":{},\"ok\":{ok}}}",
            delivered as f64 / window,
            server_cpu / delivered.max(1) as f64 * 1e6,
            server_cpu / total_s,
            gen_cpu / total_s,
            std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split(' ').next().unwrap_or("0"),
            sh.closed.load(Relaxed),
        );
        // stop after two failing steps in a row (one may be other load on the machine)
        fails = if ok { 0 } else { fails + 1 };
        if fails >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    tx.send(Phase::Quit).ok();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // One thread: cheaper per delivery than work stealing across two cores, and leaves
    // the other core to the server under test.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    match args.get(1).map(|s| s.as_str()) {
        Some("rate") => rt.block_on(rate(args)),
        Some("idle") => rt.block_on(idle(args)),
        Some("qa") => rt.block_on(qa::qa(args)),
        _ => {
            eprintln!("usage: chatload rate URL ROOM CLIENTS SENDERS SERVER_PID STEP_SECS T1,T2,..\n       chatload idle URL CLIENTS SERVER_PID\n       chatload qa URL ROOM HOST_USER CLIENTS SERVER_PID SECS ACTIVE CHAT_MSGS_PER_S");
            std::process::exit(2);
        }
    }
    std::process::exit(0);
}

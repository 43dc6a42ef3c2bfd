//! Test support: real engines, fresh state per test.
//!
//! Distributed-mode tests run against the machine's MariaDB and Redis and a loopback S3
//! API server; the URLs come from `LIBOO_TEST_MYSQL_URL`, `LIBOO_TEST_REDIS_URL` and
//! `LIBOO_TEST_S3_ENDPOINT`, with the machine's defaults. A test that cannot reach one
//! fails with a message naming the variable: these engines are part of the suite, not
//! optional extras. [`media`] holds the media tools the tests publish and check with.

#![warn(missing_docs)]

pub mod media;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::RngExt;

/// A random lowercase suffix, unique enough for per-test names.
pub fn unique(prefix: &str) -> String {
    let mut rng = rand::rng();
    let suffix: String = (0..10)
        .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
        .collect();
    format!("{prefix}{suffix}")
}

/// The database engines every storage test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Engine {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A database of its own on the MariaDB server at [`mysql_admin_url`].
    MariaDb,
}

/// A fresh, empty database that is removed when dropped.
pub struct TestDb {
    /// Connection URL of the database (`sqlite://...` or `mysql://...`).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    mysql_drop: Option<(String, String)>,
}

impl TestDb {
    /// Creates the database: a fresh SQLite file, or a uniquely named MariaDB database
    /// that drop removes again.
    pub async fn new(engine: Engine) -> TestDb {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("liboo.db").display()
                );
                TestDb {
                    url,
                    _dir: Some(dir),
                    mysql_drop: None,
                }
            }
            Engine::MariaDb => {
                let admin = mysql_admin_url();
                let name = unique("liboo_t_");
                exec_mysql(
                    &admin,
                    &format!("CREATE DATABASE {name} CHARACTER SET utf8mb4"),
                )
                .await;
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                TestDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    mysql_drop: Some((admin, name)),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.mysql_drop.take() {
            // Drop runs outside async context; a private runtime on its own thread
            // keeps this usable from inside a tokio test too.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(exec_mysql(
                    &admin,
                    &format!("DROP DATABASE IF EXISTS {name}"),
                ));
            })
            .join();
        }
    }
}

/// The MariaDB admin URL for tests (a database that exists; root may create others).
pub fn mysql_admin_url() -> String {
    std::env::var("LIBOO_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

/// The Redis URL for tests.
pub fn redis_url() -> String {
    std::env::var("LIBOO_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

async fn exec_mysql(url: &str, sql: &str) {
    let sql = sql.to_owned();
    use sqlx::Connection;
    let mut conn = sqlx::MySqlConnection::connect(url)
        .await
        .unwrap_or_else(|e| {
            panic!("MariaDB at {url} is not reachable ({e}); start it or set LIBOO_TEST_MYSQL_URL")
        });
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
        .execute(&mut conn)
        .await
        .expect(&sql);
}

/// A free TCP port on loopback, for child processes that take a port number.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Waits until a TCP port accepts connections.
pub fn wait_for_port(addr: &str, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if std::net::TcpStream::connect(addr).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// An S3 API server on loopback: the one named by `LIBOO_TEST_S3_ENDPOINT`, or a
/// `moto_server` started for this test (pip package `moto[server]`).
pub struct S3Server {
    /// Base URL of the S3 API (`http://127.0.0.1:PORT` when started here).
    pub endpoint: String,
    child: Option<Child>,
}

impl S3Server {
    /// Uses `LIBOO_TEST_S3_ENDPOINT` when set; otherwise starts `moto_server` (or
    /// `LIBOO_MOTO_SERVER`) on a free port and waits until it listens. Panics when it cannot.
    pub fn start() -> S3Server {
        if let Ok(endpoint) = std::env::var("LIBOO_TEST_S3_ENDPOINT") {
            return S3Server {
                endpoint,
                child: None,
            };
        }
        // A port free when asked may be taken by a parallel test's server before moto
        // binds it (moto then exits, and the port answers for the other server a while):
        // the port must answer while moto itself still runs, else it starts again.
        for _ in 0..3 {
            let port = free_port();
            let mut child = Command::new(moto_server())
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot start moto_server ({e}): install it with `pip install 'moto[server]'` \
                         or set LIBOO_TEST_S3_ENDPOINT to a running S3 API server"
                    )
                });
            let addr = format!("127.0.0.1:{port}");
            let listening = wait_for_port(&addr, Duration::from_secs(30));
            std::thread::sleep(Duration::from_millis(300));
            if listening
                && matches!(child.try_wait(), Ok(None))
                && wait_for_port(&addr, Duration::from_secs(5))
            {
                return S3Server {
                    endpoint: format!("http://{addr}"),
                    child: Some(child),
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("moto_server did not start on three ports");
    }
}

fn moto_server() -> PathBuf {
    std::env::var_os("LIBOO_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("moto_server"))
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A MariaDB server of this test's own, on a free loopback port with its data in a
/// temporary folder, so a test can stop and restart it without touching the machine's
/// server. Needs `mariadb-install-db` and `mariadbd` (package mariadb-server).
pub struct PrivateMariaDb {
    /// The loopback port it listens on, kept across [`PrivateMariaDb::resume`].
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PrivateMariaDb {
    /// Initializes a data folder, starts the server and creates its `test` database.
    pub async fn start() -> PrivateMariaDb {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--user=root", "--skip-test-db"])
            .arg("--auth-root-authentication-method=normal")
            .arg(format!("--datadir={}", dir.path().join("data").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run mariadb-install-db ({e}): scripts/test-deps installs mariadb-server"
                )
            });
        assert!(status.success(), "mariadb-install-db failed");
        let mut db = PrivateMariaDb {
            port: free_port(),
            dir,
            child: None,
        };
        db.resume();
        let url = format!("mysql://root@127.0.0.1:{}/mysql", db.port);
        use sqlx::Connection;
        let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
        sqlx::query("CREATE DATABASE test")
            .execute(&mut conn)
            .await
            .unwrap();
        db
    }

    /// `mysql://` URL of its `test` database.
    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}/test", self.port)
    }

    /// Kills the server (SIGKILL: a crash, as far as clients can tell).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data, and waits until it answers.
    pub fn resume(&mut self) {
        let data = self.dir.path().join("data");
        // Debian puts the server in /usr/sbin, which a non-root PATH may lack.
        let server = ["/usr/sbin/mariadbd", "/usr/bin/mariadbd"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or("mariadbd");
        let child = Command::new(server)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--port={}", self.port))
            .arg(format!(
                "--socket={}",
                self.dir.path().join("sock").display()
            ))
            .args(["--bind-address=127.0.0.1", "--user=root", "--skip-log-bin"])
            .arg("--innodb-buffer-pool-size=16M")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start mariadbd ({e}): scripts/test-deps installs mariadb-server")
            });
        self.child = Some(child);
        assert!(
            wait_for_port(&format!("127.0.0.1:{}", self.port), Duration::from_secs(60)),
            "the private mariadbd did not start"
        );
    }
}

impl Drop for PrivateMariaDb {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A `liboo serve` of a test's own on free loopback ports, its log in
/// `DATA_DIR/stderr.log`; killed when dropped.
pub struct LibooProcess {
    /// The running `liboo serve`.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub http: String,
    /// `127.0.0.1:PORT` of RTMP ingest.
    pub rtmp: String,
}

impl LibooProcess {
    /// Starts the binary at `bin` (a test's `env!("CARGO_BIN_EXE_liboo")`) with its data
    /// in `data_dir`, a short reconnect grace and `extra` flags; waits for both ports.
    pub fn start(bin: &str, data_dir: &std::path::Path, extra: &[&str]) -> LibooProcess {
        Self::start_env(bin, data_dir, extra, &[])
    }

    /// [`LibooProcess::start`] with `env` added to its environment (e.g. S3 credentials).
    pub fn start_env(
        bin: &str,
        data_dir: &std::path::Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> LibooProcess {
        let http = format!("127.0.0.1:{}", free_port());
        let rtmp = format!("127.0.0.1:{}", free_port());
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data_dir.join("stderr.log"))
            .unwrap();
        let child = Command::new(bin)
            .args(["serve", "--http-addr", &http, "--rtmp-addr", &rtmp])
            .args(["--reconnect-grace", "0.5"])
            .args(extra)
            .arg("--data-dir")
            .arg(data_dir)
            .env_remove("LIBOO_SECRET")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        assert!(
            wait_for_port(&http, Duration::from_secs(30)),
            "liboo did not listen on {http}"
        );
        assert!(
            wait_for_port(&rtmp, Duration::from_secs(30)),
            "liboo did not listen on {rtmp}"
        );
        LibooProcess {
            child,
            http: format!("http://{http}"),
            rtmp,
        }
    }
}

impl Drop for LibooProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A host's keys from `POST {http}/api/host/key`: `(streamKey, sessionKey)`.
pub async fn host_keys(http: &str, user_id: &str) -> (String, String) {
    let keys: serde_json::Value = reqwest::Client::new()
        .post(format!("{http}/api/host/key"))
        .json(&serde_json::json!({ "userId": user_id }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = |name: &str| {
        keys[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {keys}"))
            .to_owned()
    };
    (key("streamKey"), key("sessionKey"))
}

/// The Prometheus text of `GET {http}/metrics`.
pub async fn metrics(http: &str) -> String {
    reqwest::get(format!("{http}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The sum of every series of metric `name` (all label sets) in Prometheus text; 0 when
/// there is none.
pub fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .fold(0.0, |sum, v| sum + v)
}

/// A tmpfs of `size` mounted on a fresh temporary folder, unmounted when dropped. Needs
/// root (as the test machine and CI run), to fill a disk without touching the real one.
pub struct Tmpfs {
    /// Where the tmpfs is mounted.
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (mount(8)'s `size=` option, such as `"1m"`); panics when
    /// it cannot.
    pub fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status()
            .expect("mount(8) is needed for this test");
        assert!(
            status.success(),
            "cannot mount a tmpfs on {} (this test needs root, as on the test machine and in CI)",
            path.display()
        );
        Tmpfs { path, _dir: dir }
    }

    /// Bytes an unprivileged writer may still use.
    pub fn available(&self) -> u64 {
        let out = Command::new("stat")
            .args(["-f", "-c", "%a %S"])
            .arg(&self.path)
            .output()
            .expect("stat(1)");
        let out = String::from_utf8_lossy(&out.stdout);
        let mut n = out.split_whitespace().map(|v| v.parse::<u64>().unwrap());
        n.next().unwrap() * n.next().unwrap()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Connects to an RTMP server and completes a plain handshake (C1 with a zero version
/// field), checking that the server answers RTMP version 3.
pub async fn rtmp_handshake(addr: impl tokio::net::ToSocketAddrs) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut c0c1 = vec![3u8];
    c0c1.extend((0..1536).map(|i| {
        if (4..8).contains(&i) {
            0
        } else {
            rand::random::<u8>()
        }
    }));
    sock.write_all(&c0c1).await.unwrap();
    let mut s0s1s2 = vec![0u8; 1 + 1536 * 2];
    sock.read_exact(&mut s0s1s2).await.unwrap();
    assert_eq!(s0s1s2[0], 3, "the server's RTMP version");
    sock.write_all(&s0s1s2[1..1537]).await.unwrap();
    sock
}

/// Runs each named `async fn name(engine: Engine)` of the calling test file on SQLite and
/// on the machine's MariaDB, as `sqlite::name` and `mariadb::name`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name($crate::Engine::Sqlite).await } )* }
        mod mariadb { $( #[tokio::test] async fn $name() { super::$name($crate::Engine::MariaDb).await } )* }
    };
}

//! ffmpeg as a child process, the one way ingest runs it: frame thumbnails
//! ([`crate::frames`]) and the quality ladder ([`crate::ladder`]) both pipe bytes through
//! it. Quiet but for errors, never reading the terminal, killed if dropped.

use std::process::Stdio;

use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

/// Whether ffmpeg runs on this machine.
pub(crate) fn available() -> bool {
    std::process::Command::new("ffmpeg")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A running ffmpeg whose standard streams are pipes.
pub(crate) struct Filter {
    pub(crate) child: Child,
    pub(crate) stdin: ChildStdin,
    pub(crate) stdout: ChildStdout,
    pub(crate) stderr: ChildStderr,
}

/// Starts ffmpeg with `args` after the common ones (`-nostdin -hide_banner -loglevel
/// error`), reading its input from stdin and writing its output to stdout.
pub(crate) fn filter<I, S>(args: I) -> std::io::Result<Filter>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut child = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    Ok(Filter {
        child,
        stdin,
        stdout,
        stderr,
    })
}

/// What ffmpeg wrote to stderr, its first `max` bytes, once it closes it.
pub(crate) async fn errors(mut stderr: ChildStderr, max: u64) -> String {
    let mut text = String::new();
    let _ = (&mut stderr).take(max).read_to_string(&mut text).await;
    text
}

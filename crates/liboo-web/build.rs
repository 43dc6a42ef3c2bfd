//! Builds the web app in `web/` with npm and Vite into `OUT_DIR/web`, then writes
//! `OUT_DIR/assets.rs`: a table of every built file, embedded with `include_bytes!`.
//!
//! `npm ci` runs only when `node_modules` is missing or older than the lock file.
//! Without npm the binary still builds, with a page saying how to get the app;
//! `LIBOO_SKIP_WEB_BUILD=1` does the same on purpose (Rust-only work, fuzzing).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

const WATCHED: &[&str] = &[
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
];

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let web = manifest.join("../../web");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it"));
    let dist = out.join("web");
    for name in WATCHED {
        println!("cargo:rerun-if-changed={}", web.join(name).display());
    }
    println!("cargo:rerun-if-env-changed=LIBOO_SKIP_WEB_BUILD");

    let _ = fs::remove_dir_all(&dist);
    fs::create_dir_all(&dist).expect("create OUT_DIR/web");
    let skip = env::var("LIBOO_SKIP_WEB_BUILD").is_ok_and(|v| !v.is_empty() && v != "0");
    let built = if skip {
        placeholder(&dist, "LIBOO_SKIP_WEB_BUILD was set when liboo was built");
        false
    } else if !web.join("package.json").exists() {
        placeholder(&dist, "web/package.json is missing from the source tree");
        false
    } else if Command::new("npm").arg("--version").output().is_err() {
        println!(
            "cargo:warning=npm not found: liboo is built without its web app; install Node.js 20+ and npm, then rebuild"
        );
        placeholder(&dist, "npm was not found when liboo was built");
        false
    } else {
        npm_build(&web, &dist);
        true
    };
    write_table(&dist, &out.join("assets.rs"), built);
}

fn npm_build(web: &Path, dist: &Path) {
    let lock = web.join("package-lock.json");
    let installed = web.join("node_modules/.package-lock.json");
    let stale = match (fs::metadata(&lock), fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => l.modified().ok() > i.modified().ok(),
        _ => true,
    };
    if stale {
        run(web, &["ci", "--no-audit", "--no-fund"]);
    }
    let out_dir = dist.to_str().expect("OUT_DIR is UTF-8");
    run(
        web,
        &["run", "build", "--", "--outDir", out_dir, "--emptyOutDir"],
    );
}

fn run(dir: &Path, args: &[&str]) {
    let output = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run npm");
    if !output.status.success() {
        panic!(
            "`npm {}` in {} failed ({}); fix the web app or set LIBOO_SKIP_WEB_BUILD=1 to build without it\n{}\n{}",
            args.join(" "),
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }
}

fn placeholder(dist: &Path, why: &str) {
    let html = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>liboo</title>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
         <h1>liboo</h1><p>This liboo was built without its web app: {why}.</p>\
         <p>Install Node.js 20 or later with npm and run <code>cargo build --release</code> again. \
         The API (<a href=\"/api/docs\">/api/docs</a>), chat and media work without it.</p></body></html>\n"
    );
    fs::write(dist.join("index.html"), html).expect("write placeholder");
}

fn write_table(dist: &Path, table: &Path, built: bool) {
    let mut files = Vec::new();
    collect(dist, dist, &mut files);
    files.sort();
    let mut code = format!("pub(crate) const BUILT: bool = {built};\n");
    code.push_str("pub(crate) static ASSETS: &[(&str, &[u8])] = &[\n");
    for (name, path) in files {
        writeln!(code, "    ({name:?}, include_bytes!({path:?})),").expect("write to String");
    }
    code.push_str("];\n");
    fs::write(table, code).expect("write assets.rs");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("read web build") {
        let path = entry.expect("read web build").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let name = path
                .strip_prefix(root)
                .expect("under root")
                .to_str()
                .expect("UTF-8 file names")
                .replace('\\', "/");
            files.push((name, path.to_str().expect("UTF-8 path").to_owned()));
        }
    }
}

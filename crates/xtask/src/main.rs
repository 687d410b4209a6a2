//! Project automation, in Rust so it runs wherever cargo does.
//!
//! `cargo xtask demo` and `cargo xtask test` are the two commands of the README: each first
//! installs what is missing on a fresh Debian machine (see `setup`), then does its work.

mod console;
mod dist;
mod setup;

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  demo               build the widgets and start the demo at http://127.0.0.1:8080
  test               run every test: core, server, wasm in Chromium, end-to-end, size budget
  dist               build the widget bundle into dist/ (built into the server) and print its sizes
  bench              measure the bundle's size, the server's hot paths and the leaderboard
  setup [--browser]  install what is missing (wasm target, npm packages, Chromium)
  wasm-test-runner   run a wasm test binary in headless Chromium (used by cargo as a runner)
";

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let command = args.next().map(|a| a.to_string_lossy().into_owned());
    match command.as_deref() {
        Some("wasm-test-runner") => wasm_test_runner(args.collect()),
        Some("wasm-test-runner-once") => {
            // cargo passes the test binary and its arguments; the runner wants argv[0] first.
            let rest = std::iter::once("wasm-bindgen-test-runner".into()).chain(args);
            wasm_bindgen_cli::wasm_bindgen_test_runner::run_cli_with_args(rest)
        }
        Some("setup") => {
            let browser = args.any(|a| a == "--browser");
            setup::run(browser)
        }
        Some("dist") => dist::run().map(|_| ()),
        Some("demo") => demo(),
        Some("bench") => bench(),
        Some("test") => test(),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command '{other}'\n\n{USAGE}"),
    }
}

/// How often a wasm test binary is started again when headless Chromium never loaded it.
const WASM_TEST_LOAD_ATTEMPTS: u32 = 3;

/// Runs a wasm test binary in headless Chromium (cargo's runner for wasm32), again when the
/// page never loaded: ChromeDriver now and then leaves the runner's page at "Loading scripts..."
/// until its 300 s renderer timeout (wasm-pack issue 783), before any test ran. A run in which
/// tests started is never repeated, so a failing or hanging test still fails.
fn wasm_test_runner(args: Vec<std::ffi::OsString>) -> Result<()> {
    let me = std::env::current_exe()?;
    let mut attempt = 1;
    loop {
        let output = Command::new(&me)
            .arg("wasm-test-runner-once")
            .args(&args)
            .stdin(std::process::Stdio::null())
            .output()?;
        std::io::Write::write_all(&mut std::io::stdout(), &output.stdout)?;
        std::io::Write::write_all(&mut std::io::stderr(), &output.stderr)?;
        if output.status.success() {
            return Ok(());
        }
        let text =
            String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        let never_loaded = text.contains("Loading scripts...") && !text.contains("running ");
        if !never_loaded || attempt == WASM_TEST_LOAD_ATTEMPTS {
            bail!("wasm tests failed ({})", output.status);
        }
        eprintln!(
            "==> Chromium never loaded the test page (attempt {attempt} of \
             {WASM_TEST_LOAD_ATTEMPTS}); starting it again"
        );
        attempt += 1;
    }
}

/// The workspace root (the parent of `crates/`).
pub fn root() -> PathBuf {
    // `cargo run` (the `xtask` alias) tells the running binary which manifest it ran; the path
    // compiled in is only the fallback, since a build cache copied from another checkout keeps
    // an xtask binary compiled there (cargo does not rebuild it for a new path).
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .ancestors()
        .nth(2)
        .expect("crates/xtask has a root")
        .to_path_buf()
}

/// Cargo's target directory, honouring `CARGO_TARGET_DIR` (CI keeps it outside the clone).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Prints what is about to happen, the way every step of the two commands announces itself.
pub fn step(message: &str) {
    eprintln!("\n==> {message}");
}

/// Runs a command in the workspace root and fails with its name when it fails.
pub fn exec(command: &mut Command) -> Result<()> {
    command.current_dir(root());
    let shown = format!("{command:?}");
    let status = command
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn demo() -> Result<()> {
    setup::run(false)?;
    dist::run()?;
    step("building and starting the server in demo mode (Ctrl-C stops it)");
    std::fs::create_dir_all(root().join("data"))?;
    eprintln!("    open http://127.0.0.1:8080 in a browser; data is kept in data/demo.db");
    exec(
        cargo()
            .args([
                "run",
                "--quiet",
                "--package",
                "engage-server",
                "--",
                "serve",
            ])
            // The bundle just built and the demo pages are built into the server (its build
            // script watches dist/ and www/), as in the binary an owner runs.
            .args(["--db", "data/demo.db", "--addr", "127.0.0.1:8080", "--demo"]),
    )
}

fn bench() -> Result<()> {
    setup::run(false)?;
    dist::run()?;
    step("building the server with the bench profile (optimised)");
    exec(cargo().args([
        "build",
        "--package",
        "engage-server",
        "--bin",
        "engage-server",
        "--profile",
        "bench-server",
    ]))?;
    step("load: real HTTP against a real SQLite file (tests/bench/load.mjs)");
    let server = target_dir().join("bench-server").join("engage-server");
    exec(
        Command::new("node")
            .arg("tests/bench/load.mjs")
            .env("ENGAGE_SERVER_BIN", &server)
            .env("RUST_LOG", "error"),
    )?;
    eprintln!("    results are also in target/bench/load.json");
    step(
        "leaderboard: 100,000 members and 1,000,000 ledger entries, against /healthz \
         (tests/bench/leaderboard.mjs)",
    );
    exec(
        Command::new("node")
            .arg("tests/bench/leaderboard.mjs")
            .env("ENGAGE_SERVER_BIN", &server)
            .env("RUST_LOG", "error"),
    )?;
    eprintln!("    results are also in target/bench/leaderboard.json");
    step(
        "analytics: 100,000 members, 1,000,000 ledger entries and 3,000,000 activity rows over \
         a year; 30, 90 and 365 days; the import rate (tests/bench/analytics.mjs)",
    );
    exec(
        Command::new("node")
            .arg("tests/bench/analytics.mjs")
            .env("ENGAGE_SERVER_BIN", &server)
            .env("RUST_LOG", "error"),
    )?;
    eprintln!("    results are also in target/bench/analytics.json");
    Ok(())
}

fn test() -> Result<()> {
    setup::run(true)?;
    // The bundle first: the server embeds dist/ when it is compiled, so building it before the
    // native tests lets the end-to-end server reuse their build instead of compiling again.
    let sizes = dist::run()?;
    step("native tests: engage-core (unit and property) and engage-server (real SQLite, HTTP)");
    exec(
        cargo()
            .args([
                "test",
                "--package",
                "engage-core",
                "--package",
                "engage-server",
                "--package",
                "xtask",
            ])
            // The CSV export's streaming test exports a million ledger rows here, not the
            // quick default of a plain `cargo test`.
            .env("ENGAGE_EXPORT_ROWS", "1000000"),
    )?;
    step("wasm tests: the widgets and the owner console mounted in headless Chromium");
    exec(cargo().args([
        "test",
        "--package",
        "engage-widgets",
        "--package",
        "engage-console",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    sizes.check_budget()?;
    step("building the server for the end-to-end tests (the bundle built in)");
    exec(cargo().args([
        "build",
        "--package",
        "engage-server",
        "--bin",
        "engage-server",
    ]))?;
    step("end-to-end tests: the demo page in Chromium through Playwright");
    let server = target_dir().join("debug").join("engage-server");
    exec(
        Command::new("npm")
            .args(["test"])
            .env("ENGAGE_SERVER_BIN", server),
    )?;
    step("all tests passed");
    Ok(())
}

//! Installs what the demo and the tests need and a fresh Debian machine lacks: the wasm target,
//! the npm packages (Playwright, binaryen) and, for the tests, Debian's Chromium with its driver
//! and Python 3 (the server tests run the README's Python recipes).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{root, step};

pub fn run(browser: bool) -> Result<()> {
    wasm_target()?;
    npm_packages()?;
    if browser {
        test_packages()?;
    }
    Ok(())
}

fn wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(root())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !installed {
        step("installing the Rust target wasm32-unknown-unknown");
        crate::exec(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

fn npm_packages() -> Result<()> {
    let root = root();
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let fresh = match (modified(&lock), modified(&installed)) {
        (Some(lock), Some(installed)) => installed >= lock,
        _ => false,
    };
    if !fresh || !root.join("node_modules/.bin/wasm-opt").exists() {
        step("installing npm packages (playwright-core, binaryen, axe-core) with npm ci");
        crate::exec(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Whether `program` runs (is on the PATH).
fn on_path(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn test_packages() -> Result<()> {
    let chromium = Path::new("/usr/bin/chromium").exists();
    let driver = Path::new("/usr/bin/chromedriver").exists();
    // The server tests run the README's Python recipes (tokens, webhook signatures) as written.
    let python = on_path("python3");
    // Screenshots of the widgets and the console in Chinese need a CJK font, or they show boxes.
    let cjk_font = Path::new("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").exists();
    if chromium && driver && python && cjk_font {
        return Ok(());
    }
    step(
        "installing Chromium, ChromeDriver, Python 3 and a CJK font from Debian's packages \
         (apt-get)",
    );
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    let apt = |args: &[&str]| -> Command {
        let mut command = if as_root {
            Command::new("apt-get")
        } else {
            Command::new("sudo")
        };
        if !as_root {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    let packages = [
        "install",
        "-y",
        "chromium",
        "chromium-driver",
        "python3",
        "fonts-wqy-microhei",
    ];
    if crate::exec(&mut apt(&packages)).is_err() {
        crate::exec(&mut apt(&["update"])).context("apt-get update failed")?;
        crate::exec(&mut apt(&packages))?;
    }
    if !Path::new("/usr/bin/chromedriver").exists() {
        bail!("chromium-driver was installed but /usr/bin/chromedriver is missing");
    }
    Ok(())
}

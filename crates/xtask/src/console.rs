//! Builds the owner console into `dist/console/`: release wasm of `engage-console`, its JS glue
//! (the bindgen as a library, like the widgets), `wasm-opt -Oz`, `boot.js` (which instantiates
//! the wasm and calls `start`), and `index.html`, the shell the server sends for `/console` and
//! every `/console/…` page. The widgets' `dist` step precompresses the files afterwards.
//!
//! The console is its own bundle: a page of the console downloads it, a host page never does.

use std::path::Path;

use anyhow::Result;

use crate::dist::{bindgen_and_optimise, brotli_bytes};
use crate::{cargo, exec, step};

/// What a console page downloads, in load order (the shell, `index.html`, is left out: it is
/// sent for every page and is a few hundred bytes).
const SHIPPED: [&str; 3] = [
    "pkg/boot.js",
    "pkg/engage_console.js",
    "pkg/engage_console_bg.wasm",
];

/// Builds `dist/console/` under `dist`, prints its sizes and returns the brotli total of what
/// a console page downloads.
pub fn run(dist: &Path) -> Result<usize> {
    let out = dist.join("console");
    let pkg = out.join("pkg");
    step("building the owner console for wasm32-unknown-unknown (release, size profile)");
    exec(cargo().args([
        "build",
        "--package",
        "engage-console",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ]))?;

    step("generating the console's JS glue and optimising its wasm");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&pkg)?;
    // Like the widgets' loader, the shell names the bundle with `?v=<hash>`, so the server can
    // let browsers keep `/console/pkg/*?v=…` forever while the shell itself is revalidated.
    let version = bindgen_and_optimise("engage_console", &pkg)?;
    std::fs::write(pkg.join("boot.js"), boot_js(&version))?;
    std::fs::write(pkg.join("icon.svg"), ICON_SVG)?;
    std::fs::write(out.join("index.html"), index_html(&version))?;

    eprintln!("    console {version} — what a console page downloads:");
    eprintln!("    {:<30} {:>10} {:>10}", "file", "raw", "brotli 11");
    let (mut raw_total, mut br_total) = (0, 0);
    for name in SHIPPED {
        let raw = std::fs::read(out.join(name))?;
        let br = brotli_bytes(&raw)?.len();
        eprintln!("    {name:<30} {:>10} {br:>10}", raw.len());
        raw_total += raw.len();
        br_total += br;
    }
    eprintln!("    {:<30} {raw_total:>10} {br_total:>10}", "total");
    Ok(br_total)
}

fn boot_js(version: &str) -> String {
    format!(
        "// Starts the Engage owner console: instantiates its wasm, then mounts the app.\n\
         import init, {{ start }} from \"./engage_console.js?v={version}\";\n\
         await init({{ module_or_path: new URL(\"./engage_console_bg.wasm?v={version}\", import.meta.url) }});\n\
         start();\n"
    )
}

/// The shell: no inline script or style, so it runs under
/// `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
fn index_html(version: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en" data-theme="auto">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Engage console</title>
<link rel="icon" href="/console/pkg/icon.svg" type="image/svg+xml">
<script type="module" src="/console/pkg/boot.js?v={version}"></script>
</head>
<body>
<p>Loading the Engage console… 正在加载 Engage 控制台…</p>
<noscript><p>The Engage console needs JavaScript and WebAssembly. Engage 控制台需要启用 JavaScript 和 WebAssembly。</p></noscript>
</body>
</html>
"#
    )
}

const ICON_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#1d4ed8"/><path d="M10 9h12v3h-8.5v3H21v3h-7.5v3H22v3H10z" fill="#fff"/></svg>
"##;

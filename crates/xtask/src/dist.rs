//! Builds the widget bundle into `dist/`: release wasm, the JS glue from the bindgen (run as a
//! library, so no CLI is installed), `wasm-opt -Oz` from the npm `binaryen` package, the loader
//! with its version stamped in, and `.br`/`.gz` siblings for the server to send precompressed.
//! The server's build script embeds what is in `dist/` when the server is compiled next.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::{cargo, exec, root, step, target_dir};

/// The files a page downloads to show a widget, in load order.
const SHIPPED: [&str; 3] = [
    "engage.js",
    "pkg/engage_widgets.js",
    "pkg/engage_widgets_bg.wasm",
];

pub fn run() -> Result<Sizes> {
    let root = root();
    let dist = root.join("dist");
    let pkg = dist.join("pkg");
    step("building the widgets for wasm32-unknown-unknown (release, size profile)");
    exec(cargo().args([
        "build",
        "--package",
        "engage-widgets",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ]))?;

    step(
        "generating the JS glue (wasm-bindgen as a library, without name and producers \
         sections) and optimising the wasm with wasm-opt -Oz (npm binaryen)",
    );
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg)?;
    }
    std::fs::create_dir_all(&pkg)?;
    // The loader imports the glue and the wasm with `?v=<hash>`, so the server can let browsers
    // cache them forever while the loader itself stays short-lived.
    let version = bindgen_and_optimise("engage_widgets", &pkg)?;
    let loader = std::fs::read_to_string(root.join("www/engage.js"))?;
    if !loader.contains("__ENGAGE_VERSION__") {
        bail!("www/engage.js lacks the __ENGAGE_VERSION__ placeholder");
    }
    std::fs::write(
        dist.join("engage.js"),
        loader.replace("__ENGAGE_VERSION__", &version),
    )?;
    // Shipped beside the loader: its TypeScript types, the iframe mode's script, the lottery
    // verify page, and the icon both pages show.
    for file in [
        "engage.d.ts",
        "embed.js",
        "verify.html",
        "verify.js",
        "favicon.svg",
    ] {
        std::fs::copy(root.join("www").join(file), dist.join(file))
            .with_context(|| format!("copying www/{file} into dist/"))?;
    }

    let console_brotli = crate::console::run(&dist)?;
    step("precompressing (brotli 11, gzip 9)");
    let mut sizes = Sizes {
        version,
        rows: Vec::new(),
        console_brotli,
    };
    for file in compressible_files(&dist)? {
        let raw = std::fs::read(&file)?;
        let br = brotli_bytes(&raw)?;
        let gz = gzip_bytes(&raw)?;
        std::fs::write(with_suffix(&file, "br"), &br)?;
        std::fs::write(with_suffix(&file, "gz"), &gz)?;
        let name = file
            .strip_prefix(&dist)?
            .to_string_lossy()
            .replace('\\', "/");
        if SHIPPED.contains(&name.as_str()) {
            sizes.rows.push(SizeRow {
                name,
                raw: raw.len(),
                gzip: gz.len(),
                brotli: br.len(),
            });
        }
    }
    sizes
        .rows
        .sort_by_key(|r| SHIPPED.iter().position(|s| *s == r.name));
    sizes.print();
    Ok(sizes)
}

fn compressible_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(compressible_files(&path)?);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("js" | "wasm" | "ts")
        ) {
            out.push(path);
        }
    }
    Ok(out)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

pub(crate) fn brotli_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &raw[..], &mut out, &params)?;
    Ok(out)
}

fn gzip_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(raw)?;
    Ok(encoder.finish()?)
}

#[derive(Debug)]
pub struct SizeRow {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

#[derive(Debug)]
pub struct Sizes {
    pub version: String,
    pub rows: Vec<SizeRow>,
    /// The brotli total of what a console page downloads (boot, glue, wasm).
    pub console_brotli: usize,
}

impl Sizes {
    pub fn brotli_total(&self) -> usize {
        self.rows.iter().map(|r| r.brotli).sum()
    }

    fn print(&self) {
        eprintln!(
            "    bundle {} — what a page downloads for its widgets:",
            self.version
        );
        eprintln!(
            "    {:<30} {:>10} {:>10} {:>10}",
            "file", "raw", "gzip -9", "brotli 11"
        );
        for r in &self.rows {
            eprintln!(
                "    {:<30} {:>10} {:>10} {:>10}",
                r.name, r.raw, r.gzip, r.brotli
            );
        }
        let total = |f: fn(&SizeRow) -> usize| self.rows.iter().map(f).sum::<usize>();
        eprintln!(
            "    {:<30} {:>10} {:>10} {:>10}",
            "total",
            total(|r| r.raw),
            total(|r| r.gzip),
            total(|r| r.brotli)
        );
    }

    /// Fails when the widgets' or the console's brotli total exceeds its budget in
    /// `tests/size-budget.json`.
    pub fn check_budget(&self) -> Result<()> {
        let text = std::fs::read_to_string(root().join("tests/size-budget.json"))?;
        let budget: serde_json::Value = serde_json::from_str(&text)?;
        let mut over = Vec::new();
        for (key, what, total) in [
            (
                "brotli_total_bytes",
                "the widget bundle (loader + glue + wasm)",
                self.brotli_total(),
            ),
            (
                "console_brotli_total_bytes",
                "the owner console (boot + glue + wasm)",
                self.console_brotli,
            ),
        ] {
            let limit = budget[key]
                .as_u64()
                .with_context(|| format!("size-budget.json lacks {key}"))?;
            let total = total as u64;
            step(&format!(
                "size budget: {what}: {total} of {limit} bytes brotli"
            ));
            if total > limit {
                over.push(format!(
                    "{what} is {total} bytes brotli, over its budget of {limit}"
                ));
            }
        }
        if !over.is_empty() {
            bail!("{}: see what grew before raising it", over.join("; "));
        }
        Ok(())
    }
}

/// Generates the JS glue of the release wasm of `crate_name` (underscored) into `pkg` with the
/// bindgen as a library (name and producers sections removed), shrinks the wasm with
/// `wasm-opt -Oz`, and returns the bundle's version: the first 6 bytes, in hex, of the SHA-256
/// of the glue and the wasm. The widgets and the console are both built this way.
pub(crate) fn bindgen_and_optimise(crate_name: &str, pkg: &Path) -> Result<String> {
    let wasm_in = target_dir().join(format!("wasm32-unknown-unknown/release/{crate_name}.wasm"));
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm_in)
        .out_name(crate_name)
        .web(true)?
        .typescript(false)
        .omit_default_module_path(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(pkg)
        .with_context(|| format!("bindgen failed on {}", wasm_in.display()))?;
    let wasm = pkg.join(format!("{crate_name}_bg.wasm"));
    let wasm_opt = root().join("node_modules/.bin/wasm-opt");
    if !wasm_opt.exists() {
        bail!("{} is missing: run `cargo xtask setup`", wasm_opt.display());
    }
    exec(
        Command::new(&wasm_opt)
            .arg("-Oz")
            .arg("--strip-debug")
            .arg("--strip-producers")
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm),
    )?;
    let mut hasher = Sha256::new();
    hasher.update(std::fs::read(pkg.join(format!("{crate_name}.js")))?);
    hasher.update(std::fs::read(&wasm)?);
    Ok(hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect())
}

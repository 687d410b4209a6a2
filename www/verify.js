// The lottery verify page (verify.html): recomputes every outcome of a closed lottery's proof in
// the browser, with the core code the server and `engage-server verify-lottery` use, exported
// from the widgets' wasm as `verify_lottery_proof`.
//
// The bundle is loaded through the loader (engage.js), so it is the same versioned module the
// widgets use. No inline script or style: the page works under a strict CSP.
import Engage from "./engage.js";

const STYLES = `
:root { color-scheme: light dark; --fg: #111827; --muted: #4b5563; --bg: #ffffff; --subtle: #f3f4f6;
  --border: #d1d5db; --accent: #2563eb; --ok: #166534; --bad: #b91c1c; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #f9fafb; --muted: #9ca3af; --bg: #111827; --subtle: #1f2937; --border: #374151;
    --accent: #60a5fa; --ok: #86efac; --bad: #fca5a5; }
}
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, sans-serif; }
.verify { max-width: 760px; margin: 0 auto; padding: 32px 20px 48px; }
h1 { margin: 0 0 8px; font-size: 28px; line-height: 1.25; }
h2 { margin: 0 0 12px; font-size: 18px; }
h3 { margin: 16px 0 8px; font-size: 16px; }
.verify__intro { color: var(--muted); }
.verify__form { margin: 24px 0; padding: 20px; border: 1px solid var(--border); border-radius: 12px; }
.verify__row { display: flex; flex-wrap: wrap; gap: 12px 20px; margin-bottom: 12px; }
label { display: flex; flex-direction: column; gap: 4px; font-weight: 600; font-size: 14px; }
input, textarea { font: 14px/1.4 ui-monospace, Menlo, Consolas, monospace; color: var(--fg); background: var(--bg);
  border: 1px solid var(--border); border-radius: 8px; padding: 8px 10px; }
textarea { display: block; width: 100%; box-sizing: border-box; margin: 4px 0 12px; resize: vertical; }
button { font: inherit; font-weight: 600; height: 40px; padding: 0 16px; border: 0; border-radius: 8px;
  background: var(--accent); color: var(--bg); cursor: pointer; }
button:disabled { opacity: 0.6; cursor: progress; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.verify__result { margin: 24px 0; padding: 20px; border: 1px solid var(--border); border-radius: 12px; background: var(--subtle); }
.verify__verdict { margin: 0 0 8px; font-size: 18px; font-weight: 700; }
.verify__verdict--ok, .verify__check--ok { color: var(--ok); }
.verify__verdict--bad, .verify__check--bad { color: var(--bad); }
.verify__checks { margin: 0; padding-left: 20px; }
.verify__mismatches { margin: 0; padding-left: 24px; font: 13px/1.5 ui-monospace, Menlo, Consolas, monospace;
  overflow-wrap: anywhere; }
.verify__cli { margin: 16px 0 0; color: var(--muted); font-size: 14px; }
code { font: 13px ui-monospace, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.verify__problem { color: var(--bad); font-weight: 600; }
[hidden] { display: none !important; }
`;

const sheet = new CSSStyleSheet();
sheet.replaceSync(STYLES);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$("site").value = params.get("site") ?? "";
$("lottery").value = params.get("lottery") ?? "";

// The widgets' bundle, loaded once by the loader; importing the same versioned URL again gives
// the same, already initialised module.
const bundle = Engage.ready.then(() => import(`./pkg/engage_widgets.js?v=${Engage.version}`));

function showProblem(text) {
  $("result").hidden = true;
  $("problem").textContent = text;
  $("problem").hidden = false;
}

function item(parent, text, className) {
  const li = document.createElement("li");
  li.textContent = text;
  if (className) li.className = className;
  parent.append(li);
}

function showReport(report) {
  $("problem").hidden = true;
  const verdict = $("verdict");
  verdict.textContent = report.passed
    ? `✓ Every outcome of “${report.lottery}” matches the revealed seed.`
    : `✗ ${report.mismatches.length} ${report.mismatches.length === 1 ? "mismatch" : "mismatches"} in “${report.lottery}”.`;
  verdict.className = `verify__verdict verify__verdict--${report.passed ? "ok" : "bad"}`;
  const checks = $("checks");
  checks.replaceChildren();
  item(
    checks,
    report.seed_matches_hash ? "✓ The seed matches the published hash" : "✗ The seed does not match the published hash",
    `verify__check verify__check--${report.seed_matches_hash ? "ok" : "bad"}`,
  );
  item(checks, `${report.spins_checked} ${report.spins_checked === 1 ? "spin" : "spins"} checked`, "verify__check verify__spins");
  if (report.winners_checked > 0) {
    item(checks, `${report.winners_checked} ${report.winners_checked === 1 ? "winner" : "winners"} checked`, "verify__check");
  }
  const mismatches = $("mismatches");
  mismatches.replaceChildren();
  for (const message of report.messages) item(mismatches, message, "verify__mismatch");
  $("mismatch-title").hidden = report.messages.length === 0;
  $("result").hidden = false;
}

async function verify(text) {
  const { verify_lottery_proof } = await bundle;
  try {
    showReport(verify_lottery_proof(text));
  } catch (error) {
    showProblem(`This is not a proof that can be checked: ${error}`);
  }
}

async function busy(form, work) {
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

$("fetch-form").addEventListener("submit", (event) => {
  event.preventDefault();
  busy(event.target, async () => {
    const site = encodeURIComponent($("site").value.trim());
    const lottery = encodeURIComponent($("lottery").value.trim());
    const url = new URL(`/api/v1/sites/${site}/lotteries/${lottery}/proof`, import.meta.url);
    let response;
    try {
      response = await fetch(url, { headers: { accept: "application/json" } });
    } catch {
      showProblem("The server could not be reached.");
      return;
    }
    const text = await response.text();
    if (!response.ok) {
      let message = `The server answered ${response.status}.`;
      try {
        const body = JSON.parse(text);
        if (body.error?.code === "lottery_not_closed") message = "The proof is published when the lottery closes.";
        else if (body.error?.message) message = `The server answered ${response.status}: ${body.error.message}.`;
      } catch { /* not JSON */ }
      showProblem(message);
      return;
    }
    $("proof").value = text;
    await verify(text);
  });
});

$("paste-form").addEventListener("submit", (event) => {
  event.preventDefault();
  busy(event.target, () => verify($("proof").value));
});

// Opened from a widget's "Verify the draw" link: check at once.
if ($("site").value && $("lottery").value) $("fetch-form").requestSubmit();

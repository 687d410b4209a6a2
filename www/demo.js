// The demo's stand-in for a host site's own sign-in: pick a sample member, and the demo server
// (only in --demo mode) mints a member token, as the host's backend would in real life.
const memberSelect = document.getElementById("demo-member");
const langSelect = document.getElementById("demo-lang");
const themeSelect = document.getElementById("demo-theme");
const widgets = () => document.querySelectorAll("engage-checkin, engage-poll, engage-lottery, engage-leaderboard, engage-feedback, engage-rewards");
const saved = (key) => { try { return localStorage.getItem(`engage-demo:${key}`); } catch { return null; } };
const save = (key, value) => { try { localStorage.setItem(`engage-demo:${key}`, value); } catch { /* private mode */ } };

async function loadMembers() {
  const response = await fetch("/api/v1/demo/members");
  if (!response.ok) return;
  for (const { member, name } of await response.json()) {
    const option = document.createElement("option");
    option.value = member;
    option.textContent = name;
    memberSelect.append(option);
  }
}

async function signIn(member) {
  save("member", member);
  if (!member) {
    for (const w of widgets()) w.removeAttribute("member-token");
    return;
  }
  const response = await fetch("/api/v1/demo/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ member }),
  });
  if (!response.ok) return;
  const { token } = await response.json();
  for (const w of widgets()) w.setAttribute("member-token", token);
}

function setLang(lang) {
  save("lang", lang);
  document.documentElement.lang = lang;
  for (const w of widgets()) w.setAttribute("lang", lang);
}

function setTheme(theme) {
  save("theme", theme);
  const dark = theme === "dark" || (theme === "auto" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
  for (const w of widgets()) w.setAttribute("theme", theme);
}

memberSelect.addEventListener("change", () => signIn(memberSelect.value));
langSelect.addEventListener("change", () => setLang(langSelect.value));
themeSelect.addEventListener("change", () => setTheme(themeSelect.value));

// What the widgets tell the page, as a host's analytics would listen for it.
for (const type of ["engage:ready", "engage:checkin", "engage:vote", "engage:spin", "engage:redeem", "engage:feedback", "engage:badge", "engage:error"]) {
  document.addEventListener(type, (event) => console.info(type, event.detail));
}

langSelect.value = saved("lang") || (navigator.language.startsWith("zh") ? "zh-CN" : "en");
themeSelect.value = saved("theme") || "auto";
setLang(langSelect.value);
setTheme(themeSelect.value);
await loadMembers();
const member = saved("member");
if (member && [...memberSelect.options].some((o) => o.value === member)) {
  memberSelect.value = member;
  await signIn(member);
}

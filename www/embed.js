// Engage iframe mode, loaded by /embed/{widget} pages next to engage.js: talks to the host page
// that frames this one, and only to the origins the site owner listed.
//
// From the host:  frame.contentWindow.postMessage({ type: "engage:identify", token }, engageOrigin)
//                 frame.contentWindow.postMessage({ type: "engage:configure", options }, engageOrigin)
// To the host:    { type: "engage:embed" }   once this page listens (send the token then)
//                 { type: "engage:ready" | "engage:checkin" | "engage:vote" | "engage:redeem" | "engage:error", detail }
//                 { type: "engage:resize", height }   (so the host can size the iframe)

const listed = (document.querySelector('meta[name="engage-origins"]')?.content ?? "")
  .split(" ")
  .filter(Boolean);

// The framing page's origin, if the owner listed it: messages go nowhere else.
const host = (() => {
  const candidates = [...(location.ancestorOrigins ?? [])].slice(0, 1);
  try {
    if (document.referrer) candidates.push(new URL(document.referrer).origin);
  } catch { /* no usable referrer */ }
  return candidates.find((origin) => listed.includes(origin)) ?? null;
})();

// The page is only the widget: no margins, no background of its own.
document.documentElement.style.setProperty("background", "transparent");
document.body.style.setProperty("margin", "0");

const widget = document.body.firstElementChild;

function tell(message) {
  if (host && window.parent !== window) window.parent.postMessage(message, host);
}

window.addEventListener("message", (event) => {
  if (!listed.includes(event.origin) || event.source !== window.parent) return;
  const { type, token, options } = event.data ?? {};
  if (type === "engage:identify" && (typeof token === "string" || token === null)) {
    window.Engage?.identify(token);
  } else if (type === "engage:configure" && options && typeof options === "object") {
    window.Engage?.configure(options);
  }
});

for (const type of ["engage:ready", "engage:checkin", "engage:vote", "engage:spin", "engage:redeem", "engage:feedback", "engage:badge", "engage:error"]) {
  widget?.addEventListener(type, (event) => tell({ type, detail: event.detail }));
}

if (widget && "ResizeObserver" in window) {
  let last = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(widget.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      tell({ type: "engage:resize", height });
    }
  }).observe(widget);
}

tell({ type: "engage:embed" });

// The governance page: proposals under the silence procedure, open ones first with a live
// countdown to their deadline, each with its governing body, change set and members' acts.
// Everything the server sends is shown with textContent: nothing is parsed as HTML.

import { api, errorText, isUnauthorized } from "./api.js";
import { initBanner, setBanner } from "./banner.js";
import { setStatus, wireSession } from "./chrome.js";
import { $, el } from "./dom.js";
import { utc } from "./format.js";

const REFRESH_MS = 10_000;

const state = {
  who: null,
  skewMs: 0, // server clock minus this browser's clock, from the last answer
  rendered: new Map(), // proposal id -> the JSON it was last drawn from
  refreshTimer: null,
  tickTimer: null,
  refreshing: false,
  dueRefresh: false, // a deadline passed: refresh soon to show the outcome
};
window.liaison = Object.assign(window.liaison || {}, { governance: state });

function timeEl(iso) {
  return el("time", { datetime: iso, title: iso, text: utc(iso) });
}

// --- session (the sign-in card, sign-out and 401s: chrome.js) ---------------------------------

async function entered(who) {
  state.who = who;
  await refresh();
  startTimers();
}

function left() {
  state.who = null;
  stopTimers();
  clearProposals();
  setStatus("Sign in with a partner's or an operator's token to read the proposals.", "signed-out");
}

function unreachable(err) {
  setStatus(`Cannot reach the hub: ${errorText(err)}`, "offline");
}

// --- proposals ---------------------------------------------------------------------------------

function clearProposals() {
  state.rendered.clear();
  $("open-proposals").replaceChildren();
  $("closed-proposals").replaceChildren();
  $("open-count").textContent = "";
  $("closed-count").textContent = "";
}

async function refresh() {
  if (state.refreshing || !state.who) return;
  state.refreshing = true;
  try {
    const data = await api("/api/v1/governance/proposals");
    learnSkew(data.proposals || []);
    render(data.proposals || []);
    const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    setStatus(`Up to date (${utc(when)}); refreshed every ${REFRESH_MS / 1000} s.`, "live");
  } catch (err) {
    if (isUnauthorized(err)) return; // signed out already, saying why
    setStatus(`Could not refresh: ${errorText(err)} (trying again)`, "offline");
  } finally {
    state.refreshing = false;
  }
}

// The server says how many seconds are left by its own clock: the countdown follows the server's
// clock, not this computer's (which may be wrong, or a demo's clock may run elsewhere).
function learnSkew(proposals) {
  const open = proposals.find((p) => p.state === "circulating" && p.seconds_left > 0);
  if (!open) return;
  const serverNow = Date.parse(open.deadline) - open.seconds_left * 1000;
  if (!Number.isNaN(serverNow)) state.skewMs = serverNow - Date.now();
}

function ordered(proposals) {
  const open = proposals
    .filter((p) => p.state === "circulating")
    .sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline));
  const closed = proposals
    .filter((p) => p.state !== "circulating")
    .sort((a, b) => closedAt(b) - closedAt(a));
  return { open, closed };
}

function closedAt(p) {
  const t = Date.parse((p.outcome && p.outcome.at) || p.deadline || p.created);
  return Number.isNaN(t) ? 0 : t;
}

function render(proposals) {
  const { open, closed } = ordered(proposals);
  const seen = new Set();
  for (const [list, items] of [[$("open-proposals"), open], [$("closed-proposals"), closed]]) {
    let previous = null;
    for (const p of items) {
      seen.add(p.id);
      const json = JSON.stringify({ ...p, seconds_left: null, time_left: null });
      let node = list.querySelector(`:scope > article.proposal[data-id="${CSS.escape(p.id)}"]`)
        || document.querySelector(`article.proposal[data-id="${CSS.escape(p.id)}"]`);
      if (!node || state.rendered.get(p.id) !== json) {
        const fresh = proposalEl(p);
        if (node) {
          keepOpen(node, fresh);
          node.replaceWith(fresh);
        }
        node = fresh;
        state.rendered.set(p.id, json);
      }
      const wanted = previous ? previous.nextSibling : list.firstChild;
      if (node !== wanted) list.insertBefore(node, wanted);
      previous = node;
    }
    list.replaceChildren(...[...list.children].filter((n) => seen.has(n.dataset.id)));
  }
  for (const id of [...state.rendered.keys()]) if (!seen.has(id)) state.rendered.delete(id);
  $("open-count").textContent = `(${open.length})`;
  $("closed-count").textContent = `(${closed.length})`;
  if (!open.length) {
    $("open-proposals").append(el("p", { class: "empty", text: "No proposal is circulating." }));
  }
  if (!closed.length) {
    $("closed-proposals").append(el("p", { class: "empty", text: "No proposal has closed yet." }));
  }
  tick();
}

// The change-set <details> the reader opened stay open when the proposal is redrawn.
function keepOpen(old, fresh) {
  old.querySelectorAll("details[data-part]").forEach((d) => {
    const twin = fresh.querySelector(`details[data-part="${d.dataset.part}"]`);
    if (twin) twin.open = d.open;
  });
}

const STATE_TEXT = {
  circulating: "circulating",
  passed: "passed",
  failed: "failed",
  withdrawn: "withdrawn",
  superseded: "superseded",
};

function outcomeText(p) {
  const o = p.outcome;
  if (!o) return "Circulating: silence holds so far.";
  switch (o.kind) {
    case "passed":
      return `Passed: silence held; applied as policy version ${o.version}.`;
    case "break":
      return `Failed: ${o.member} broke silence.`;
    case "withdraw":
      return `Withdrawn by ${o.member}${o.reason ? `: ${o.reason}` : "."}`;
    case "superseded":
      return `Superseded: amended by ${o.member}.`;
    default:
      return `Failed: ${o.reason || "it could not be applied"}.`;
  }
}

const ACT_TEXT = {
  submitted: "proposed it",
  concur: "concurred",
  break: "broke silence",
  withdraw: "withdrew it",
  superseded: "superseded it with an amendment",
};

function actEl(a) {
  // The outcome the hub itself records (passed at the deadline, failed to apply) reads as one
  // line; members' acts name the member, with their reason quoted.
  const byHub = a.kind === "passed" || a.kind === "failed";
  const text = byHub ? `${a.kind}${a.reason ? `: ${a.reason}` : ""}` : ACT_TEXT[a.kind] || a.kind;
  return el(
    "li",
    { class: `act act-${a.kind}`, dataset: { kind: a.kind, member: a.member || "" } },
    timeEl(a.at),
    " ",
    el("span", { class: "act-member", text: byHub ? "The hub" : a.member || "" }),
    " ",
    el("span", { class: "act-kind", text }),
    a.version !== null && a.version !== undefined
      ? el("span", { class: "act-version", text: ` (policy version ${a.version})` })
      : null,
    a.reason && !byHub ? el("blockquote", { class: "act-reason", text: a.reason }) : null,
  );
}

function memberEl(p, member) {
  const broke = (p.broke_silence || []).find((b) => b.member === member);
  const concurred = (p.concurred || []).includes(member);
  let standing = "silent";
  let mark = "○";
  if (broke) [standing, mark] = ["broke", "✗"];
  else if (concurred) [standing, mark] = ["concurred", "✓"];
  else if (p.state !== "circulating") [standing, mark] = ["silent", "–"];
  const title = {
    broke: `${member} broke silence`,
    concurred: `${member} concurred`,
    silent: p.state === "circulating" ? `${member} is silent so far` : `${member} stayed silent`,
  }[standing];
  return el(
    "li",
    { class: `member member-${standing}`, dataset: { member, standing }, title },
    el("span", { class: "member-mark", "aria-hidden": "true", text: mark }),
    member,
    member === p.proposer ? el("span", { class: "member-note", text: " (proposer)" }) : null,
  );
}

function tomlEl(text) {
  const pre = el("pre", { class: "toml" });
  const lines = String(text || "").split("\n");
  lines.forEach((line, i) => {
    let m;
    if (/^\s*#/.test(line)) {
      pre.append(el("span", { class: "toml-comment", text: line }));
    } else if ((m = /^(\s*)(\[\[?[^\]]*\]\]?)(.*)$/.exec(line))) {
      pre.append(m[1], el("span", { class: "toml-table", text: m[2] }), m[3]);
    } else if ((m = /^(\s*)([A-Za-z0-9_.\-"']+)(\s*=\s*)(.*)$/.exec(line))) {
      pre.append(m[1], el("span", { class: "toml-key", text: m[2] }), m[3],
        el("span", { class: "toml-value", text: m[4] }));
    } else {
      pre.append(line);
    }
    if (i < lines.length - 1) pre.append("\n");
  });
  return pre;
}

function fact(label, ...value) {
  return [el("dt", { text: label }), el("dd", {}, ...value)];
}

function proposalEl(p) {
  const open = p.state === "circulating";
  const acts = [...(p.acts || [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const facts = el("dl", { class: "facts" });
  facts.append(
    ...fact("Proposed", "by ", el("strong", { text: p.proposer }), " on ", timeEl(p.created)),
    ...fact(
      open ? "Silence until" : "Deadline",
      timeEl(p.deadline),
      open
        ? el("span", {
            class: "countdown",
            dataset: { deadline: p.deadline },
            role: "timer",
            text: p.time_left ? `${p.time_left} left` : "",
          })
        : null,
    ),
    ...fact(
      "Governing body",
      el("ul", { class: "members" }, (p.body || []).map((m) => memberEl(p, m))),
    ),
    ...fact("Touches", (p.touches || []).length ? (p.touches || []).join(", ") : "—"),
    ...fact("Base policy", `version ${p.base_version}`),
    ...fact(
      "Existing items",
      p.apply_to_existing ? "re-decided under the change (backlog released)" : "not re-decided",
    ),
  );
  if (p.supersedes) facts.append(...fact("Amends", p.supersedes));
  if (p.replaces_spif) facts.append(...fact("Security policy", "replaces the SPIF"));
  if (p.policy_version !== null && p.policy_version !== undefined) {
    facts.append(...fact("Applied as", `policy version ${p.policy_version}`));
  }

  return el(
    "article",
    {
      class: `proposal proposal-${p.state}`,
      dataset: { id: p.id, state: p.state },
      "aria-labelledby": `proposal-${p.id}-title`,
    },
    el(
      "header",
      { class: "proposal-header" },
      el("h3", { id: `proposal-${p.id}-title`, text: p.id }),
      el("span", { class: `state state-${p.state}`, text: STATE_TEXT[p.state] || p.state }),
      open ? null : el("span", { class: "outcome", text: outcomeText(p) }),
    ),
    el("p", { class: "rationale", text: p.rationale || "(no rationale given)" }),
    facts,
    el(
      "details",
      { class: "change", dataset: { part: "change" }, open: open || null },
      el("summary", { text: "Change set" }),
      tomlEl(p.change),
    ),
    el(
      "section",
      { class: "acts-section" },
      el("h4", { text: `Acts (${acts.length})` }),
      el("ol", { class: "acts" }, acts.map(actEl)),
    ),
  );
}

// --- countdowns --------------------------------------------------------------------------------

function countdownText(ms) {
  if (ms <= 0) return "due — the hub is deciding";
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n) => String(n).padStart(2, "0");
  return `${d ? `${d}d ` : ""}${pad(h)}:${pad(m)}:${pad(s)} left`;
}

function tick() {
  const now = Date.now() + state.skewMs;
  let due = false;
  document.querySelectorAll(".countdown[data-deadline]").forEach((node) => {
    const left = Date.parse(node.dataset.deadline) - now;
    node.textContent = countdownText(left);
    node.dataset.urgent = String(left < 3_600_000);
    node.dataset.due = String(left <= 0);
    if (left <= 0) due = true;
  });
  if (due && !state.dueRefresh) {
    state.dueRefresh = true; // once: the hub decides within a second or so
    setTimeout(async () => {
      await refresh();
      state.dueRefresh = false;
    }, 2000);
  }
}

function startTimers() {
  stopTimers();
  state.tickTimer = setInterval(tick, 1000);
  state.refreshTimer = setInterval(refresh, REFRESH_MS);
}

function stopTimers() {
  clearInterval(state.tickTimer);
  clearInterval(state.refreshTimer);
  state.tickTimer = state.refreshTimer = null;
}

// --- start -------------------------------------------------------------------------------------

async function start() {
  const session = wireSession({ onSignedIn: entered, onSignedOut: left, onUnreachable: unreachable });
  try {
    await initBanner();
    setBanner([]); // proposals carry no label: the lowest marking of the policy
  } catch (err) {
    console.warn("label banner:", errorText(err));
  }
  await session.start();
}

start();

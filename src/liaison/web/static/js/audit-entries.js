// The audit page's entries table: the newest entries first (a partner's own, or for an operator
// all or one partner's), paged, each of which can be proven, in this browser, to be in the tree
// the verified signed head fixes (RFC 9162 inclusion).

import { api, errorText, isUnauthorized } from "./api.js";
import { setStatus } from "./chrome.js";
import { $, el } from "./dom.js";
import { utc } from "./format.js";
import { fromHex, hex, leafHash, short, verifyInclusion } from "./audit-proofs.js";
import { state } from "./audit-state.js";
import { MARK, verify } from "./audit-verify.js";

const PAGE_SIZE = 25; // entries shown per page
const FETCH_SIZE = 1000; // entries asked per request

/** Signed in as `who`: a partner reads its own entries, an operator picks whose. */
export function showEntriesFor(who) {
  const select = $("entries-partner");
  select.replaceChildren(el("option", { value: "all", text: "all" }));
  if (who.is_admin) {
    for (const p of who.partners || []) select.append(el("option", { value: p.id, text: `${p.id}${p.name ? ` — ${p.name}` : ""}` }));
  }
  $("entries-partner-label").hidden = !who.is_admin;
  $("entries-hint").firstChild.textContent = who.is_admin
    ? "An operator sees every entry, or one partner's. "
    : `You see the entries about ${who.holder}. `;
}

export function clearEntries() {
  $("entries-body").replaceChildren();
  $("entries-range").textContent = "";
  $("entries-partner-label").hidden = true;
}

function partnerFilter() {
  if (!state.who || !state.who.is_admin) return null; // a partner: its own (the default)
  return $("entries-partner").value;
}

// The entries with `after <= index < end`, in log order.
async function fetchRange(after, end) {
  const out = [];
  let from = after;
  for (;;) {
    const query = new URLSearchParams({ after: String(from), limit: String(FETCH_SIZE) });
    const partner = partnerFilter();
    if (partner) query.set("partner", partner);
    const data = await api(`/api/v1/audit/entries?${query}`);
    const got = data.entries || [];
    for (const e of got) if (e.index < end) out.push(e);
    if (got.length < FETCH_SIZE || got[got.length - 1].index >= end - 1 || data.next <= from) break;
    from = data.next;
  }
  return out;
}

// The newest `n` entries before `end` (exclusive; Infinity: the newest of all), newest first.
// The API reads forward from an index and a partner's entries are sparse: look back in windows
// growing fourfold until there are enough.
async function newest(end, n) {
  const top = Number.isFinite(end) ? end : (state.head ? state.head.size : 0);
  let lo = Math.max(0, top - n);
  let found = await fetchRange(lo, end);
  let width = n;
  while (found.length < n && lo > 0) {
    width *= 4;
    const next = Math.max(0, lo - width);
    found = (await fetchRange(next, lo)).concat(found);
    lo = next;
  }
  return found.slice(-n).reverse();
}

export async function showPage(end, reset = false) {
  if (reset) state.pages = [Infinity];
  let entries;
  try {
    entries = await newest(end, PAGE_SIZE);
  } catch (err) {
    if (!isUnauthorized(err)) setStatus(`Could not read the entries: ${errorText(err)}`, "offline");
    return;
  }
  state.shown = entries;
  $("entries-body").replaceChildren(...entries.map(entryRow));
  if (!entries.length) {
    $("entries-body").append(el("tr", {}, el("td", { colspan: 7, class: "empty", text: "No entries." })));
  }
  $("entries-range").textContent = entries.length
    ? `entries ${entries[0].index} to ${entries[entries.length - 1].index}, newest first`
    : "";
  $("entries-newer").disabled = state.pages.length <= 1;
  $("entries-older").disabled = !entries.length || entries[entries.length - 1].index === 0 || entries.length < PAGE_SIZE;
}

function about(entry) {
  if (entry.item) return entry.item;
  if (entry.proposal) return `${entry.proposal}${entry.act ? ` (${entry.act})` : ""}`;
  if (entry.token) return `token ${entry.token} ${entry.event || ""}`.trim();
  if (entry.type === "policy") return `policy version ${entry.version}${entry.name ? ` (${entry.name})` : ""}`;
  if (entry.asked) return entry.asked;
  return "";
}

function entryRow(rec) {
  const e = rec.entry || {};
  const who = e.partner || e.holder || e.member || e.proposer || "";
  const cell = el("td", { class: "inclusion" });
  const button = el("button", { type: "button", class: "prove", text: "Prove" });
  button.addEventListener("click", () => prove(rec, cell, button));
  cell.append(button);
  const details = el("details", {}, el("summary", { text: about(e) || rec.type }), el("pre", { class: "entry-json", text: JSON.stringify(e, null, 2) }));
  return el("tr", { class: "entry", dataset: { index: rec.index, type: rec.type } },
    el("td", { class: "num", text: rec.index }),
    el("td", { class: "time", text: utc(e.time) }),
    el("td", {}, el("span", { class: `type type-${rec.type}`, text: rec.type })),
    el("td", { text: who }),
    el("td", { class: "about" }, details),
    el("td", {}, el("code", { class: "hash", title: rec.leaf, text: short(rec.leaf, 12) })),
    cell);
}

async function prove(rec, cell, button) {
  button.disabled = true;
  const say = (kind, text, title = "") => {
    cell.replaceChildren(el("span", { class: "proof", dataset: { state: kind }, title, text: `${MARK[kind] || ""}${text}` }));
  };
  try {
    if (!state.verifiedHead) await verify();
    const head = state.verifiedHead;
    if (!head) return say("error", "no verified head", "Verify the signed head first.");
    if (rec.index >= head.size) return say("warn", "newer than the head", "Not in the signed head yet: Verify again later.");
    const ours = hex(await leafHash(rec.entry));
    const proof = await api(`/api/v1/audit/proof/inclusion?leaf=${rec.leaf}&size=${head.size}`);
    const ok = proof.index === rec.index
      && await verifyInclusion(fromHex(rec.leaf), rec.index, head.size, (proof.proof || []).map(fromHex), fromHex(head.root));
    if (!ok) return say("fail", "not in the signed log", `No valid inclusion proof of entry ${rec.index} in the head of ${head.size} entries.`);
    if (ours !== rec.leaf) {
      return say("warn", "leaf in the log; entry differs",
        `The leaf is in the signed tree of ${head.size} entries, but the entry as received re-hashes to ${short(ours)} in this browser.`);
    }
    say("ok", `in head ${head.size}`, `Entry ${rec.index} re-hashes to its leaf, and the leaf is in the tree of ${head.size} entries whose signed root is ${short(head.root)} (${(proof.proof || []).length} hashes).`);
  } catch (err) {
    if (isUnauthorized(err)) return;
    say("error", errorText(err));
    button.disabled = false;
  }
}

export function wireEntries() {
  $("entries-newest").addEventListener("click", () => showPage(Infinity, true));
  $("entries-older").addEventListener("click", () => {
    if (!state.shown.length) return;
    const end = state.shown[state.shown.length - 1].index;
    state.pages.push(end);
    showPage(end);
  });
  $("entries-newer").addEventListener("click", () => {
    if (state.pages.length > 1) state.pages.pop();
    showPage(state.pages[state.pages.length - 1]);
  });
  $("entries-partner").addEventListener("change", () => showPage(Infinity, true));
}

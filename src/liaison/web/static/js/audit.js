// The audit page: the latest signed tree head and the hub's public key; "Verify" checks the
// head's Ed25519 signature here in the browser (WebCrypto) over the bytes the hub signs, that the
// log only grew since the head this browser checked last (an RFC 9162 consistency proof), and
// for an operator has the hub recompute the whole log. Recent entries, newest first, each of
// which can be proven (RFC 9162 inclusion) to be in the tree the verified head fixes.
// Everything the server sends is shown with textContent: nothing is parsed as HTML.

import { api, describeError, signIn, signedIn, signOut } from "./api.js";
import { initBanner, setBanner } from "./banner.js";

const LAST_HEAD_KEY = "liaison.audit.head"; // the last head whose signature this browser checked
const PINNED_KEY = "liaison.audit.key"; // the key id this browser first saw, and when
const LOG_NAME = "liaison-audit";
const PAGE_SIZE = 25; // entries shown per page
const FETCH_SIZE = 1000; // entries asked per request

const $ = (id) => document.getElementById(id);

const state = {
  who: null,
  key: null, // GET /audit/key
  head: null, // the head shown
  verifiedHead: null, // the head whose signature verified in this page
  pages: [Infinity], // the `end` (exclusive index) of each page visited, the current one last
  shown: [], // the entries on screen, newest first
  verifying: false,
};
window.liaison = Object.assign(window.liaison || {}, { audit: state });

// --- small helpers -----------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function errorText(err) {
  if (!err) return "unknown error";
  return err.detail || err.message || String(err);
}

function statusOf(err) {
  return err && (err.status ?? err.code);
}

function setStatus(text, kind) {
  $("status").textContent = text;
  $("status").dataset.state = kind;
}

function utc(iso) {
  if (!iso) return "";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toISOString().replace(/\.\d+Z$/, "Z").replace("T", " ").replace("Z", " UTC");
}

// One outcome box: its state (ok, fail, warn, error, running, idle, info) and its lines.
function outcome(id, kind, ...lines) {
  const box = $(id);
  box.dataset.state = kind;
  box.replaceChildren(...lines.flat().filter(Boolean).map((l) => (l instanceof Node ? l : el("p", { text: l }))));
}

const MARK = { ok: "✓ ", fail: "✗ ", warn: "⚠ ", error: "⚠ " };

function headline(kind, text) {
  return el("p", { class: "headline" }, el("span", { class: "mark", "aria-hidden": "true", text: MARK[kind] || "" }), text);
}

function short(hex, n = 16) {
  return hex && hex.length > n ? `${hex.slice(0, n)}…` : hex || "";
}

function readJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

// --- bytes, hashes, canonical JSON -------------------------------------------------------------

const encoder = new TextEncoder();

function hex(bytes) {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text) {
  if (typeof text !== "string" || !/^([0-9a-fA-F]{2})*$/.test(text)) throw new Error(`not hexadecimal: ${short(String(text))}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function fromBase64(text) {
  const raw = atob(text);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// Python's json with sort_keys and separators (",", ":") and ensure_ascii=False: keys sorted by
// code point, no spaces, non-ASCII kept. (JavaScript writes strings' escapes the same way.)
function byCodePoint(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

function canonical(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort(byCodePoint);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
}

// Exactly the bytes the hub signs (liaison/audit/heads.py `signed_bytes`).
function signedBytes(head) {
  return encoder.encode(canonical({ log: LOG_NAME, root: head.root, size: head.size, time: head.time }));
}

// --- RFC 9162 Merkle proofs (as liaison/audit/merkle.py) ----------------------------------------

const odd = (n) => n % 2 === 1;
const half = (n) => Math.floor(n / 2); // sizes beyond 2^31: no 32-bit bit operators

function powerOfTwo(n) {
  let m = n;
  while (m > 1 && m % 2 === 0) m /= 2;
  return m === 1;
}

async function leafHash(entry) {
  return sha256(concat(new Uint8Array([0]), encoder.encode(canonical(entry))));
}

async function nodeHash(left, right) {
  return sha256(concat(new Uint8Array([1]), left, right));
}

// §2.1.3.2: is `leaf` (a leaf hash) at `index` in the tree of `size` whose root is `root`?
async function verifyInclusion(leaf, index, size, proof, root) {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, root);
}

// §2.1.4.2: does the tree (second, secondRoot) extend (first, firstRoot)?
async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second)) || first < 0 || first > second) return false;
  const path = [...proof];
  if (first === 0) return !path.length && equalBytes(firstRoot, await sha256(new Uint8Array()));
  if (first === second) return !path.length && equalBytes(firstRoot, secondRoot);
  if (!path.length) return false;
  if (powerOfTwo(first)) path.unshift(firstRoot); // the old tree is a complete left subtree
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot);
}

// --- session -----------------------------------------------------------------------------------

function showSignedOut(message = "") {
  state.who = null;
  state.head = null;
  state.verifiedHead = null;
  $("signin-panel").hidden = false;
  $("signout").hidden = true;
  $("whoami").textContent = "";
  $("signin-error").textContent = message;
  $("signin-error").hidden = !message;
  $("verify").disabled = true;
  $("entries-body").replaceChildren();
  $("entries-range").textContent = "";
  $("entries-partner-label").hidden = true;
  for (const id of ["head-size", "head-root", "head-time", "head-key-id", "head-signature"]) $(id).textContent = "—";
  for (const id of ["verify-signature", "verify-consistency", "verify-log"]) outcome(id, "idle", "Not checked yet.");
  setStatus("Sign in to read the signed head and your entries.", "signed-out");
}

function showSignedIn(who) {
  state.who = who;
  $("signin-panel").hidden = true;
  $("signin-error").textContent = "";
  $("signin-error").hidden = true;
  $("signout").hidden = false;
  $("whoami").textContent = who.is_admin
    ? `${who.holder} (operator)`
    : who.name ? `${who.name} (${who.holder})` : who.holder;
  $("verify").disabled = false;
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

function signedOutOn401(err) {
  if (statusOf(err) !== 401) return false;
  signOut();
  showSignedOut(describeError(err));
  return true;
}

async function enter() {
  let who;
  try {
    who = await api("/api/v1/whoami");
  } catch (err) {
    if (!signedOutOn401(err)) setStatus(`Cannot reach the hub: ${errorText(err)}`, "offline");
    return;
  }
  showSignedIn(who);
  setStatus("Reading the signed head…", "connecting");
  await loadHead();
  await showPage(Infinity, true);
}

function wireSession() {
  $("signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    signIn(token);
    $("token").value = "";
    await enter();
  });
  $("signout").addEventListener("click", () => {
    signOut();
    showSignedOut();
  });
  // A 401 anywhere (api.js tells): back to the signed-out state, saying why.
  window.addEventListener("liaison:unauthorized", (event) => {
    if (!state.who) return;
    signOut();
    showSignedOut(describeError(event.detail));
  });
}

// --- the key and the head ----------------------------------------------------------------------

async function loadKey() {
  try {
    state.key = await api("/api/v1/audit/key");
  } catch (err) {
    state.key = null;
    $("key-algorithm").textContent = `none: ${errorText(err)}`;
    return;
  }
  $("key-algorithm").textContent = state.key.algorithm;
  $("key-id").textContent = state.key.key_id;
  $("key-signs").textContent = state.key.signed_bytes || "";
  $("public-key").textContent = state.key.public_key_pem;
  showPin();
}

function showPin() {
  const pinned = readJson(PINNED_KEY);
  const box = $("key-pinned");
  if (!state.key) return;
  if (!pinned) {
    localStorage.setItem(PINNED_KEY, JSON.stringify({ key_id: state.key.key_id, first_seen: new Date().toISOString() }));
    box.textContent = "first seen now: this browser will warn if it ever changes";
    box.dataset.state = "ok";
  } else if (pinned.key_id === state.key.key_id) {
    box.textContent = `the key this browser first saw on ${utc(pinned.first_seen)}`;
    box.dataset.state = "ok";
  } else {
    box.replaceChildren(
      `⚠ not the key this browser first saw (${pinned.key_id}, on ${utc(pinned.first_seen)}). `,
      el("button", { id: "key-repin", type: "button", text: "Trust this key" }),
    );
    box.dataset.state = "warn";
    $("key-repin").addEventListener("click", () => {
      localStorage.removeItem(PINNED_KEY);
      localStorage.removeItem(LAST_HEAD_KEY);
      showPin();
    });
  }
}

async function loadHead() {
  try {
    const head = await api("/api/v1/audit/head");
    state.head = head;
    $("head-size").textContent = head.size.toLocaleString("en");
    $("head-root").textContent = head.root;
    $("head-time").textContent = utc(head.time);
    $("head-key-id").textContent = head.key_id;
    $("head-signature").textContent = head.signature;
    setStatus(`Signed head read (${utc(head.time)}).`, "live");
    return head;
  } catch (err) {
    if (signedOutOn401(err)) return null;
    state.head = null;
    setStatus(`No signed head: ${errorText(err)}`, "offline");
    return null;
  }
}

// --- verify ------------------------------------------------------------------------------------

async function checkSignature(head) {
  if (!head) {
    outcome("verify-signature", "error", headline("error", "No signed head to check."));
    return false;
  }
  if (!state.key) await loadKey();
  if (!state.key) {
    outcome("verify-signature", "error", headline("error", "The hub publishes no key: nothing to check the signature with."));
    return false;
  }
  if (!globalThis.crypto || !crypto.subtle) {
    outcome("verify-signature", "error", headline("error",
      "This browser offers no WebCrypto here (pages need https:// or localhost for it): the signature cannot be checked in the browser."));
    return false;
  }
  let key;
  try {
    const b64 = state.key.public_key_pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
    key = await crypto.subtle.importKey("spki", fromBase64(b64), { name: "Ed25519" }, true, ["verify"]);
  } catch (err) {
    outcome("verify-signature", "error", headline("error", `This browser cannot use the Ed25519 key: ${errorText(err)}`));
    return false;
  }
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", key));
  const keyId = hex(await sha256(raw)).slice(0, 16);
  let valid = false;
  try {
    valid = await crypto.subtle.verify({ name: "Ed25519" }, key, fromBase64(head.signature), signedBytes(head));
  } catch (err) {
    valid = false;
  }
  const pinned = readJson(PINNED_KEY);
  const lines = [
    el("p", {}, "Signed bytes: ", el("code", { class: "signed-bytes", text: new TextDecoder().decode(signedBytes(head)) })),
    `Public key id ${keyId} (SHA-256 of the raw key); the head names ${head.key_id}; the hub publishes ${state.key.key_id}.`,
  ];
  const keyOk = keyId === head.key_id && keyId === state.key.key_id;
  const pinOk = !pinned || pinned.key_id === keyId;
  if (valid && keyOk) {
    const kind = pinOk ? "ok" : "warn";
    outcome("verify-signature", kind,
      headline(kind, `Signature valid: the hub's key signed this head of ${head.size.toLocaleString("en")} entries at ${utc(head.time)}.`),
      pinOk ? null : el("p", { text: `But the key is not the one this browser first saw (${pinned.key_id}).` }),
      lines);
    return pinOk;
  }
  outcome("verify-signature", "fail",
    headline("fail", valid ? "The signature verifies, but the key ids do not match." : "The signature does NOT verify: the head was not signed by the hub's key, or it was changed."),
    lines);
  return false;
}

async function checkConsistency(head) {
  const last = readJson(LAST_HEAD_KEY);
  const remember = () => localStorage.setItem(LAST_HEAD_KEY, JSON.stringify({ ...head, checked_at: new Date().toISOString() }));
  if (!last || !Number.isSafeInteger(last.size)) {
    remember();
    outcome("verify-consistency", "info", headline("info", "First head this browser checks: it is kept, and the next Verify proves the log only grew from it."));
    return true;
  }
  const seen = `the head of ${last.size.toLocaleString("en")} entries this browser checked on ${utc(last.checked_at)}`;
  if (last.size > head.size) {
    outcome("verify-consistency", "fail", headline("fail", `The log shrank: ${seen} is larger than this one (${head.size}).`));
    return false;
  }
  let proof;
  try {
    proof = last.size === head.size
      ? { proof: [] }
      : await api(`/api/v1/audit/proof/consistency?first=${last.size}&second=${head.size}`);
  } catch (err) {
    if (signedOutOn401(err)) return false;
    outcome("verify-consistency", "error", headline("error", `No consistency proof: ${errorText(err)}`));
    return false;
  }
  const ok = await verifyConsistency(last.size, head.size, fromHex(last.root), fromHex(head.root), (proof.proof || []).map(fromHex));
  if (ok) {
    remember();
    outcome("verify-consistency", "ok",
      headline("ok", last.size === head.size ? `Unchanged since ${seen}.` : `The log only grew since ${seen}: ${(head.size - last.size).toLocaleString("en")} entries appended, none changed.`),
      last.size === head.size
        ? "Same size and the same root as the head checked then."
        : `Consistency proof of ${(proof.proof || []).length} hashes, checked in this browser against the roots of both signed heads.`);
    return true;
  }
  outcome("verify-consistency", "fail",
    headline("fail", `The log was REWRITTEN: this head does not extend ${seen} (root ${short(last.root)}).`),
    "The earlier head is kept: show it to the hub's operators.");
  return false;
}

async function fullCheck(head) {
  if (!state.who || !state.who.is_admin) {
    outcome("verify-log", "info", headline("info",
      "The full check recomputes the whole log and is for operators: your browser checked the signature and that the log only grew. Prove your own entries below."));
    return;
  }
  outcome("verify-log", "running", headline("", "The hub is recomputing every leaf, node, signed head and act…"));
  let report;
  try {
    report = await api("/api/v1/audit/verify");
  } catch (err) {
    if (signedOutOn401(err)) return;
    outcome("verify-log", "error", headline("error", `The full check could not run: ${errorText(err)}`));
    return;
  }
  const n = (x) => Number(x).toLocaleString("en");
  const lines = [
    `${n(report.entries)} entries, root ${report.root}; ${n(report.heads)} signed heads, ${n(report.heads_checked)} signatures checked.`,
  ];
  if (head && report.entries === head.size) {
    lines.push(report.root === head.root
      ? "The recomputed root is the signed head's root."
      : "The recomputed root is NOT the signed head's root.");
  } else if (head && report.entries > head.size) {
    lines.push(`The log grew by ${n(report.entries - head.size)} entries since the head shown.`);
  }
  for (const note of report.notes || []) lines.push(el("p", { class: "note", text: `Not checked: ${note}` }));
  if (report.ok) {
    outcome("verify-log", "ok", headline("ok", "Verified: every entry, node, head and act matches."), lines);
    return;
  }
  const findings = el("ol", { class: "findings" },
    (report.findings || []).map((f) => {
      const where = f.where || (f.index === null ? "the log" : `entry ${f.index}`);
      return el("li", { class: "finding", dataset: { index: f.index ?? "" } },
        f.what.startsWith(where) ? null : el("strong", { text: `${where}: ` }), f.what);
    }));
  const count = (report.findings || []).length + (report.omitted || 0);
  outcome("verify-log", "fail",
    headline("fail", `${n(count)} mismatch${count === 1 ? "" : "es"} found: the log or the store was changed behind the hub's back.`),
    lines, findings,
    report.omitted ? el("p", { text: `…and ${n(report.omitted)} more not listed.` }) : null);
}

async function verify() {
  if (state.verifying) return;
  state.verifying = true;
  const button = $("verify");
  button.disabled = true;
  button.textContent = "Verifying…";
  try {
    for (const id of ["verify-signature", "verify-consistency"]) outcome(id, "running", "Checking…");
    await loadKey();
    const head = await loadHead();
    if (!state.who) return;
    const signed = await checkSignature(head);
    state.verifiedHead = signed ? head : null;
    if (signed) await checkConsistency(head);
    else outcome("verify-consistency", "idle", "Not checked: the head's signature did not verify.");
    await fullCheck(head);
  } catch (err) {
    console.error("verify:", err);
    outcome("verify-log", "error", headline("error", `Verification stopped: ${errorText(err)}`));
  } finally {
    state.verifying = false;
    button.disabled = !state.who;
    button.textContent = "Verify";
  }
}

// --- entries -----------------------------------------------------------------------------------

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

async function showPage(end, reset = false) {
  if (reset) state.pages = [Infinity];
  let entries;
  try {
    entries = await newest(end, PAGE_SIZE);
  } catch (err) {
    if (!signedOutOn401(err)) setStatus(`Could not read the entries: ${errorText(err)}`, "offline");
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
    if (signedOutOn401(err)) return;
    say("error", errorText(err));
    button.disabled = false;
  }
}

function wireEntries() {
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

// --- start -------------------------------------------------------------------------------------

async function start() {
  wireSession();
  wireEntries();
  $("verify").addEventListener("click", verify);
  try {
    await initBanner();
    setBanner([]); // audit entries carry no label: the lowest marking of the policy
  } catch (err) {
    console.warn("label banner:", errorText(err));
  }
  await loadKey(); // public: shown before signing in
  if (signedIn()) await enter();
  else showSignedOut();
}

start();

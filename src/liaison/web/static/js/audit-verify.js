// The audit page's signed head, public key and Verify button: the browser checks the head's
// Ed25519 signature itself (WebCrypto) over the bytes the hub signs, and that the log only grew
// since the head it checked last (an RFC 9162 consistency proof); for an operator the hub also
// recomputes the whole log. Each check writes its outcome box (#verify-signature,
// #verify-consistency, #verify-log).

import { api, errorText, isUnauthorized } from "./api.js";
import { setStatus } from "./chrome.js";
import { $, el } from "./dom.js";
import { utc } from "./format.js";
import { fromBase64, fromHex, hex, sha256, short, signedBytes, verifyConsistency } from "./audit-proofs.js";
import { state } from "./audit-state.js";

const LAST_HEAD_KEY = "liaison.audit.head"; // the last head whose signature this browser checked
const PINNED_KEY = "liaison.audit.key"; // the key id this browser first saw, and when

function readJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

// One outcome box: its state (ok, fail, warn, error, running, idle, info) and its lines.
export function outcome(id, kind, ...lines) {
  const box = $(id);
  box.dataset.state = kind;
  box.replaceChildren(...lines.flat().filter(Boolean).map((l) => (l instanceof Node ? l : el("p", { text: l }))));
}

export const MARK = { ok: "✓ ", fail: "✗ ", warn: "⚠ ", error: "⚠ " };

function headline(kind, text) {
  return el("p", { class: "headline" }, el("span", { class: "mark", "aria-hidden": "true", text: MARK[kind] || "" }), text);
}

/** Signed out: no head shown, nothing checked. */
export function clearHead() {
  for (const id of ["head-size", "head-root", "head-time", "head-key-id", "head-signature"]) $(id).textContent = "—";
  for (const id of ["verify-signature", "verify-consistency", "verify-log"]) outcome(id, "idle", "Not checked yet.");
}

// --- the key and the head ----------------------------------------------------------------------

export async function loadKey() {
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

export async function loadHead() {
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
    if (isUnauthorized(err)) return null;
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
    if (isUnauthorized(err)) return false;
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
    if (isUnauthorized(err)) return;
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

export async function verify() {
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

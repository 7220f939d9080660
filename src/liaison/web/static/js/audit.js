// The audit page: the latest signed tree head and the hub's public key; "Verify" checks the
// head's Ed25519 signature here in the browser (WebCrypto) over the bytes the hub signs, that the
// log only grew since the head this browser checked last (an RFC 9162 consistency proof), and
// for an operator has the hub recompute the whole log. Recent entries, newest first, each of
// which can be proven (RFC 9162 inclusion) to be in the tree the verified head fixes.
// Everything the server sends is shown with textContent: nothing is parsed as HTML.
//
// This module wires the page: signing in and out (chrome.js), the head and Verify
// (audit-verify.js, with the cryptography in audit-proofs.js), the entries (audit-entries.js).

import { errorText } from "./api.js";
import { initBanner, setBanner } from "./banner.js";
import { setStatus, wireSession } from "./chrome.js";
import { $ } from "./dom.js";
import { clearEntries, showEntriesFor, showPage, wireEntries } from "./audit-entries.js";
import { state } from "./audit-state.js";
import { clearHead, loadHead, loadKey, verify } from "./audit-verify.js";

async function entered(who) {
  state.who = who;
  $("verify").disabled = false;
  showEntriesFor(who);
  setStatus("Reading the signed head…", "connecting");
  await loadHead();
  await showPage(Infinity, true);
}

function left() {
  state.who = null;
  state.head = null;
  state.verifiedHead = null;
  $("verify").disabled = true;
  clearEntries();
  clearHead();
  setStatus("Sign in to read the signed head and your entries.", "signed-out");
}

function unreachable(err) {
  setStatus(`Cannot reach the hub: ${errorText(err)}`, "offline");
}

async function start() {
  const session = wireSession({ onSignedIn: entered, onSignedOut: left, onUnreachable: unreachable });
  wireEntries();
  $("verify").addEventListener("click", verify);
  try {
    await initBanner();
    setBanner([]); // audit entries carry no label: the lowest marking of the policy
  } catch (err) {
    console.warn("label banner:", errorText(err));
  }
  await loadKey(); // public: shown before signing in
  await session.start();
}

start();

// The chrome every page shares (the map, governance, audit): the header's "who is signed in"
// (#whoami) and sign-out button (#signout), the sign-in card (#signin-panel, #signin, #token,
// #signin-button, #signin-error), the pages' status line (#status), and the session's wiring.
// Text from the hub goes in as textContent.
//
//   const session = wireSession({
//     onSignedIn: async (who) => { ... },   // the hub knows the token: show the page for `who`
//     onSignedOut: (message) => { ... },    // back to signed out (message: why, or null)
//     onSigningIn: () => { ... },           // optional: before the hub is asked who this is
//     onUnreachable: (err) => { ... },      // optional: whoami failed other than with a 401
//   });                                     //   (without it: signed out, saying why)
//   session.start();                        // this tab signed in already? enter; else signed out
//   session.who;                            // the /api/v1/whoami answer, null when signed out
//
// Submitting the form keeps the token (api.js: this tab's sessionStorage) and asks the hub who it
// is; the sign-out button forgets it; so does a 401 from any call (api.js announces it as
// `liaison:unauthorized`), which goes back to the signed-out state saying why.

import { api, describeError, signIn, signOut, signedIn } from "./api.js";

const $ = (id) => document.getElementById(id);

export function wireSession(hooks) {
  const session = {
    who: null,
    start: () => (signedIn() ? enter() : leave(null)),
    enter,
    leave,
  };

  async function enter() {
    showSignInError(null);
    const button = $("signin-button");
    button.disabled = true;
    if (hooks.onSigningIn) hooks.onSigningIn();
    let who;
    try {
      who = await api("/api/v1/whoami");
    } catch (err) {
      button.disabled = false;
      if (err && err.status !== 401 && hooks.onUnreachable) hooks.onUnreachable(err);
      else leave(describeError(err));
      return;
    }
    button.disabled = false;
    session.who = who;
    showSignedIn(who);
    await hooks.onSignedIn(who);
  }

  /** Forget the token and go back to the signed-out state; `message` says why (null: asked). */
  function leave(message) {
    signOut();
    session.who = null;
    showSignedOut(message);
    hooks.onSignedOut(message || null);
  }

  $("signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("token");
    const value = input.value.trim();
    if (!value) {
      showSignInError("Paste a token first.");
      return;
    }
    signIn(value);
    input.value = "";
    await enter();
  });
  $("signout").addEventListener("click", () => leave(null));
  // A 401 anywhere once signed in (a revoked or expired token): signed out, saying why. While
  // signing in, enter() reports the refusal itself.
  window.addEventListener("liaison:unauthorized", (event) => {
    if (session.who) leave(describeError(event.detail));
  });
  return session;
}

function showSignedIn(who) {
  $("signin-panel").hidden = true;
  $("signout").hidden = false;
  showSignInError(null);
  const whoami = $("whoami");
  const strong = document.createElement("strong");
  strong.textContent = who.holder;
  const extra = document.createElement("span");
  extra.className = "muted";
  extra.textContent = who.is_admin ? " · operator" : who.name ? ` · ${who.name}` : "";
  whoami.replaceChildren(strong, extra);
  whoami.title = `Signed in as ${who.holder}${who.is_admin ? " (operator)" : ""}; policy version ${who.policy_version ?? "?"}`;
}

function showSignedOut(message) {
  $("signin-panel").hidden = false;
  $("signout").hidden = true;
  const whoami = $("whoami");
  whoami.textContent = "Not signed in";
  whoami.title = "";
  showSignInError(message);
  $("token").focus();
}

export function showSignInError(message) {
  const box = $("signin-error");
  box.textContent = message || "";
  box.hidden = !message;
}

/** The pages' status line (#status): its text and state (signed-out, connecting, live, offline). */
export function setStatus(text, state) {
  const status = $("status");
  status.textContent = text;
  status.dataset.state = state;
}

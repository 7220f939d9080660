// The page's chrome outside the map: the header (who is signed in, "see as", the connection
// indicator), the sign-in card and the error boxes. Text from the hub goes in as textContent.

const $ = (id) => document.getElementById(id);

export function showSignedIn(who) {
  $("signin-panel").hidden = true;
  $("details").hidden = false;
  document.querySelector(".timeline-card").hidden = false;
  $("signout").hidden = false;
  const whoami = $("whoami");
  whoami.replaceChildren();
  const strong = document.createElement("strong");
  const extra = document.createElement("span");
  extra.className = "muted";
  if (who.is_admin) {
    strong.textContent = who.holder;
    extra.textContent = " · operator";
  } else {
    strong.textContent = who.holder;
    extra.textContent = who.name ? ` · ${who.name}` : "";
  }
  whoami.append(strong, extra);
  whoami.title = `Signed in as ${who.holder}${who.is_admin ? " (operator)" : ""}; policy version ${who.policy_version ?? "?"}`;
  const select = $("see-as");
  select.replaceChildren();
  for (const p of who.is_admin ? who.partners || [] : []) {
    const option = document.createElement("option");
    option.value = p.id;
    option.textContent = p.name && p.name !== p.id ? `${p.id} — ${p.name}` : p.id;
    select.append(option);
  }
  $("see-as-label").hidden = !who.is_admin;
}

export function showSignedOut(message) {
  $("signin-panel").hidden = false;
  $("details").hidden = true;
  document.querySelector(".timeline-card").hidden = true;
  $("signout").hidden = true;
  $("see-as-label").hidden = true;
  $("whoami").replaceChildren();
  $("whoami").textContent = "Not signed in";
  setConnection("signed-out", "Signed out");
  showSignInError(message);
  $("token").focus();
}

export function showSignInError(message) {
  const box = $("signin-error");
  box.textContent = message || "";
  box.hidden = !message;
}

export function setConnection(name, text) {
  const el = $("connection");
  el.dataset.state = name;
  el.textContent = text;
  el.title = {
    "signed-out": "Not signed in: no live feed",
    connecting: "Connecting to the hub's live feed",
    live: "Receiving the live feed",
    offline: "Not connected: the page retries by itself and misses nothing",
  }[name] || "";
}

export function showMapError(message) {
  const box = $("map-error");
  box.textContent = message || "";
  box.hidden = !message;
}

// The map page's own chrome, beside what every page shares (chrome.js): the side cards shown
// once signed in, "see as" for operators (#see-as), the connection indicator (#connection) and
// the map's error box. Text from the hub goes in as textContent.

const $ = (id) => document.getElementById(id);

export function showMapSignedIn(who) {
  $("details").hidden = false;
  document.querySelector(".timeline-card").hidden = false;
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

export function showMapSignedOut() {
  $("details").hidden = true;
  document.querySelector(".timeline-card").hidden = true;
  $("see-as-label").hidden = true;
  setConnection("signed-out", "Signed out");
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

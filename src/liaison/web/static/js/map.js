// The map page's entry point: builds the map, signs in, runs one partner's live session at a
// time ("see as" for operators), and redraws what changed once per animation frame.

import { api, describeError } from "./api.js";
import { initBanner, setBanner } from "./banner.js";
import { createMap, loadBasemap, loadRegion } from "./basemap.js";
import { wireSession } from "./chrome.js";
import { utc } from "./format.js";
import { addLayersControl, addLegend } from "./legend.js";
import { PictureLayers } from "./layers.js";
import { setConnection as setConnectionChrome, showMapError, showMapSignedIn, showMapSignedOut } from "./map-chrome.js";
import { hideDecisions, markTimelineSelection, renderDecisions, renderDetails, syncTimeline } from "./panels.js";
import { Session } from "./session.js";
import { classificationsShown, clearDirty, createState, lookup, resetPicture } from "./store.js";

const $ = (id) => document.getElementById(id);
const SEE_AS_KEY = "liaison.seeAs";

const state = createState();
const timelineElements = new Map();
let map = null;
let layers = null;
let session = null;
let loaded = false;
let framePending = false;
let decisionsFor = null;

function main() {
  map = createMap($("map"));
  layers = new PictureLayers(map, {
    onSelect: (selection) => select(selection, { pan: false, fromMap: true }),
    getVessel: (id) => state.vessels.get(id),
    getEvent: (id) => state.events.get(id),
  });
  addLayersControl(map, layers.groups);
  addLegend(map);
  window.liaison = { map, state, layers };

  const chrome = wireSession({
    onSigningIn: () => setConnection("connecting", "Signing in…"),
    onSignedIn: entered,
    onSignedOut: left,
  });
  $("see-as").addEventListener("change", onSeeAs);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state.selected) select(null);
  });

  loadBasemap(map).catch((err) => showMapError(`The base map could not be loaded: ${describeError(err)}`));
  loadRegion(layers.groups.Zones, layers.groups.Gates).catch((err) =>
    showMapError(`Zones and gates could not be loaded: ${describeError(err)}`),
  );
  initBanner().then(() => schedule());
  chrome.start();
}

// ---- signing in and out (the form, the sign-out button and 401s: chrome.js) ----------------

function entered(who) {
  state.whoami = who;
  showMapSignedIn(who);
  if (who.is_admin) {
    const partners = who.partners || [];
    if (!partners.length) {
      showMapError("This hub has no partners to see as.");
      setConnection("offline", "No partners");
      return;
    }
    const saved = sessionStorage.getItem(SEE_AS_KEY);
    const choice = partners.some((p) => p.id === saved) ? saved : partners[0].id;
    $("see-as").value = choice;
    start(choice);
  } else {
    start(who.holder);
  }
}

/** Back to the signed-out page: the token is forgotten, and so is the picture. */
function left() {
  stopSession();
  state.whoami = null;
  resetPicture(state, null);
  layers.clear();
  select(null);
  loaded = false;
  state.connection = "signed-out";
  showMapSignedOut();
  schedule();
  updateHint();
}

function setConnection(name, text) {
  state.connection = name;
  setConnectionChrome(name, text);
}

function onSeeAs() {
  const partner = $("see-as").value;
  sessionStorage.setItem(SEE_AS_KEY, partner);
  start(partner);
}

// ---- the session ----------------------------------------------------------------------------

function stopSession() {
  if (session) session.stop();
  session = null;
}

function start(partner) {
  stopSession();
  resetPicture(state, partner);
  layers.clear();
  select(null);
  loaded = false;
  showMapError(null);
  schedule();
  session = new Session({
    state,
    partner,
    asOperator: Boolean(state.whoami && state.whoami.is_admin),
    onChange: schedule,
    onConnection: setConnection,
    onError: showMapError,
    onLoaded: () => {
      loaded = true;
      schedule();
    },
  });
  session.start();
}

function updateHint() {
  const hint = $("map-hint");
  let text = "";
  if (!state.whoami) text = "Sign in with a partner token to see its picture";
  else if (!loaded) text = `Loading the picture of ${state.partner || "the partner"}…`;
  else if (!state.vessels.size && !state.events.size && !state.reports.size) {
    text = `Nothing released to ${state.partner} yet — the picture fills in live`;
  }
  hint.textContent = text;
  hint.hidden = !text;
}

// ---- selection ------------------------------------------------------------------------------

function select(selection, { pan = false, fromMap = false } = {}) {
  const item = lookup(state, selection);
  state.selected = item ? { kind: selection.kind, id: selection.id } : null;
  layers.setSelected(state.selected);
  markTimelineSelection(timelineElements, state.selected);
  renderDetails(state.selected && state.selected.kind, item);
  if (!item) {
    decisionsFor = null;
    hideDecisions();
    return;
  }
  if (fromMap) {
    const li = timelineElements.get(selection.id);
    if (li) li.scrollIntoView({ block: "nearest" });
  }
  if (pan && Number.isFinite(item.lat) && Number.isFinite(item.lon)) {
    map.flyTo([item.lat, item.lon], Math.max(map.getZoom(), 8), { duration: 0.6 });
  }
  if (state.whoami && state.whoami.is_admin) {
    loadDecisions(selection.kind === "vessel" ? item.item : item.id);
  } else {
    hideDecisions();
  }
}

async function loadDecisions(itemId) {
  if (!itemId) return hideDecisions();
  decisionsFor = itemId;
  renderDecisions(itemId, null);
  try {
    const answer = await api(`/api/v1/decisions/${encodeURIComponent(itemId)}`, { signal: session && session.signal });
    if (decisionsFor === itemId) renderDecisions(itemId, answer);
  } catch (err) {
    if (err && err.name === "AbortError") return;
    if (decisionsFor === itemId) renderDecisions(itemId, null, describeError(err));
  }
}

function onTimelinePick(entry) {
  select({ kind: entry.kind === "event" ? "event" : "report", id: entry.id }, { pan: true });
}

// ---- drawing --------------------------------------------------------------------------------

function schedule() {
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(render);
}

function render() {
  framePending = false;
  const dirty = state.dirty;
  clearDirty(state);
  if (dirty.all) {
    layers.clear();
    for (const li of timelineElements.values()) li.remove();
    timelineElements.clear();
    for (const vessel of state.vessels.values()) layers.updateVessel(vessel);
    for (const event of state.events.values()) layers.updateEvent(event);
  } else {
    for (const id of dirty.removed) {
      layers.removeEvent(id);
    }
    for (const id of dirty.vessels) {
      const vessel = state.vessels.get(id);
      if (vessel) layers.updateVessel(vessel);
    }
    for (const id of dirty.events) {
      const event = state.events.get(id);
      if (!event) continue;
      layers.updateEvent(event);
      const stale = timelineElements.get(id);
      if (stale) {
        stale.remove(); // redrawn below with the event's new details
        timelineElements.delete(id);
      }
    }
  }
  if (dirty.all || dirty.timeline || dirty.removed.size || dirty.events.size) {
    syncTimeline(state, timelineElements, onTimelinePick);
    markTimelineSelection(timelineElements, state.selected);
  }
  const sel = state.selected;
  if (sel && !lookup(state, sel)) select(null);
  else if (sel && sel.kind === "vessel" && dirty.vessels.has(sel.id)) {
    renderDetails("vessel", lookup(state, sel));
  }
  layers.setNow(state.latestMs);
  $("vessel-count").textContent = String(state.vessels.size);
  $("event-count").textContent = String(state.events.size);
  $("scenario-time").textContent = state.latestMs === null ? "—" : utc(state.latestMs);
  setBanner(classificationsShown(state));
  updateHint();
}

main();

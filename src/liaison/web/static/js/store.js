// The picture the page holds for one partner: vessels (latest fix + a short trail), events and
// reports (newest first, capped), the stream cursor and the latest report time. Pure data: it
// records what changed in `state.dirty` and the map and panels redraw from that.

export const TRAIL_MAX = 40;
// The timeline keeps at most this many of each kind: a busy sea's events never crowd the
// partner's (older, fewer) intelligence reports out of it.
export const TIMELINE_MAX = { event: 500, report: 200 };

export function createState() {
  const state = {
    whoami: null, // /api/v1/whoami answer
    partner: null, // whose picture is shown
    vessels: new Map(), // id -> Vessel (with trail [[lon, lat, iso], ...])
    events: new Map(), // id -> Event
    reports: new Map(), // id -> report entry (kind report|indicator|other)
    timeline: [], // [{id, kind: "event"|"report", type, ms}] newest first, events and reports interleaved
    timelineCount: { event: 0, report: 0 },
    cursor: 0,
    latestMs: null, // latest report time seen
    connection: "signed-out",
    selected: null, // {kind: "vessel"|"event"|"report", id}
    dirty: null,
  };
  clearDirty(state);
  return state;
}

export function clearDirty(state) {
  state.dirty = {
    all: false,
    vessels: new Set(),
    events: new Set(),
    removed: new Set(), // event/report ids dropped from the timeline cap
    timeline: false,
  };
}

/** Forget the partner's data (sign-out, "see as" switch); keeps whoami. */
export function resetPicture(state, partner = null) {
  state.partner = partner;
  state.vessels.clear();
  state.events.clear();
  state.reports.clear();
  state.timeline = [];
  state.timelineCount = { event: 0, report: 0 };
  state.cursor = 0;
  state.latestMs = null;
  state.selected = null;
  clearDirty(state);
  state.dirty.all = true;
}

export function timeMs(iso) {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

function seen(state, iso) {
  const ms = timeMs(iso);
  if (ms !== null && (state.latestMs === null || ms > state.latestMs)) state.latestMs = ms;
}

/** Merge a Vessel (from the picture or a position batch): extend its trail, keep the newest fix. */
export function mergeVessel(state, vessel) {
  if (!vessel || vessel.id === undefined || vessel.id === null) return;
  if (!Number.isFinite(vessel.lat) || !Number.isFinite(vessel.lon)) return;
  const old = state.vessels.get(vessel.id);
  const incoming =
    Array.isArray(vessel.trail) && vessel.trail.length ? vessel.trail : [[vessel.lon, vessel.lat, vessel.time]];
  for (const point of incoming) seen(state, point[2]);
  seen(state, vessel.time);
  if (!old) {
    state.vessels.set(vessel.id, { ...vessel, trail: trimTrail(incoming) });
  } else {
    const byTime = new Map();
    for (const point of old.trail) byTime.set(point[2], point);
    for (const point of incoming) byTime.set(point[2], point);
    const trail = trimTrail([...byTime.values()].sort((a, b) => (timeMs(a[2]) ?? 0) - (timeMs(b[2]) ?? 0)));
    const newer = (timeMs(vessel.time) ?? 0) >= (timeMs(old.time) ?? 0);
    // Static fields said once (name, call sign...) are kept when a later batch omits them.
    const merged = newer ? { ...old, ...withoutNulls(vessel) } : { ...vessel, ...withoutNulls(old) };
    if (newer) {
      for (const key of ["sog_kn", "cog", "heading", "lat", "lon", "time", "item", "marking", "classification"]) {
        if (key in vessel) merged[key] = vessel[key];
      }
    }
    merged.trail = trail;
    state.vessels.set(vessel.id, merged);
  }
  state.dirty.vessels.add(vessel.id);
}

function withoutNulls(object) {
  const out = {};
  for (const [key, value] of Object.entries(object)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}

function trimTrail(points) {
  return points.length > TRAIL_MAX ? points.slice(points.length - TRAIL_MAX) : points.slice();
}

/** Add (or replace) an Event as the picture gives it. */
export function addEvent(state, event) {
  if (!event || !event.id) return;
  if (!Number.isFinite(event.lat) || !Number.isFinite(event.lon)) return;
  seen(state, event.time);
  if (event.payload && event.payload.end) seen(state, event.payload.end);
  const had = state.events.has(event.id);
  state.events.set(event.id, event);
  state.dirty.events.add(event.id);
  if (!had) insertTimeline(state, { id: event.id, kind: "event", type: event.type || "event", ms: timeMs(event.time) });
  state.dirty.timeline = true;
}

/** The Event of a stream release of kind "event" (its item as the partner may see it). */
export function eventFromEntry(entry) {
  const item = entry.item || {};
  const payload = item.payload || {};
  const position = payload.position || {};
  return {
    id: item.id,
    type: payload.type || "event",
    time: item.time || payload.start,
    lat: Number(position.lat),
    lon: Number(position.lon),
    feed: item.feed ?? null,
    marking: entry.marking,
    classification: item.label ? item.label.classification : null,
    payload,
  };
}

/** A report, indicator or any item without a map position: a timeline entry only. */
export function addReport(state, entry) {
  const item = entry.item || {};
  if (!item.id) return;
  seen(state, item.time);
  const had = state.reports.has(item.id);
  state.reports.set(item.id, {
    id: item.id,
    kind: item.kind || "report",
    time: item.time,
    marking: entry.marking,
    classification: item.label ? item.label.classification : null,
    item,
  });
  if (!had) insertTimeline(state, { id: item.id, kind: "report", type: item.kind || "report", ms: timeMs(item.time) });
  state.dirty.timeline = true;
}

function insertTimeline(state, entry) {
  const list = state.timeline;
  const key = entry.ms ?? -Infinity;
  // Binary search for the first entry older than this one (newest first).
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid].ms ?? -Infinity) >= key) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, entry);
  const counts = state.timelineCount;
  counts[entry.kind] = (counts[entry.kind] || 0) + 1;
  const max = TIMELINE_MAX[entry.kind] ?? TIMELINE_MAX.report;
  for (let i = list.length - 1; i >= 0 && counts[entry.kind] > max; i--) {
    if (list[i].kind !== entry.kind) continue;
    const [dropped] = list.splice(i, 1); // the oldest of its kind
    counts[dropped.kind] -= 1;
    if (dropped.kind === "event") state.events.delete(dropped.id);
    else state.reports.delete(dropped.id);
    state.dirty.removed.add(dropped.id);
    state.dirty.events.delete(dropped.id);
    if (state.selected && state.selected.id === dropped.id) state.selected = null;
  }
}

/** Every classification on screen (for the label banner). */
export function classificationsShown(state) {
  const names = new Set();
  for (const v of state.vessels.values()) if (v.classification) names.add(v.classification);
  for (const e of state.events.values()) if (e.classification) names.add(e.classification);
  for (const r of state.reports.values()) if (r.classification) names.add(r.classification);
  return names;
}

export function lookup(state, selection) {
  if (!selection) return null;
  if (selection.kind === "vessel") return state.vessels.get(selection.id) || null;
  if (selection.kind === "event") return state.events.get(selection.id) || null;
  return state.reports.get(selection.id) || null;
}

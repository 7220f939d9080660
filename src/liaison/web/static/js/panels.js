// The side panels: details of the selected vessel, event or report (#details), the operator's
// release decisions for it (#decisions), and the timeline (#timeline, newest first).
// Every text from the hub goes in with textContent.

import { markingBadge } from "./banner.js";
import {
  clock,
  day,
  degrees,
  duration,
  eventSummary,
  eventTitle,
  eventVessels,
  humanKey,
  knots,
  latLon,
  reportTitle,
  utc,
  value,
} from "./format.js";
import { EVENT_TITLES, eventKind, eventSymbol, vesselCategory, vesselSymbol } from "./symbols.js";

function node(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

function kv(pairs) {
  const dl = node("dl", "kv");
  for (const [key, val] of pairs) {
    if (val === undefined || val === null || val === "") continue;
    dl.append(node("dt", null, key));
    const dd = node("dd");
    if (val instanceof Node) dd.append(val);
    else dd.textContent = String(val);
    dl.append(dd);
  }
  return dl;
}

function heading(symbol, title, subtitle) {
  const head = node("div", "details-head");
  const text = node("div", "details-title");
  text.append(node("div", "details-name", title));
  if (subtitle) text.append(node("div", "muted", subtitle));
  head.append(symbol, text);
  return head;
}

/** Fill #details-body with a vessel, an event, a report, or the hint (item null). */
export function renderDetails(kind, item) {
  const body = document.getElementById("details-body");
  const panel = document.getElementById("details");
  panel.dataset.kind = item ? kind : "";
  panel.dataset.id = item ? item.id : "";
  if (!item) {
    body.replaceChildren(
      node("p", "muted", "Select a vessel or an event on the map, or an entry in the timeline, to see its details here."),
    );
    return;
  }
  if (kind === "vessel") body.replaceChildren(...vesselDetails(item));
  else if (kind === "event") body.replaceChildren(...eventDetails(item));
  else body.replaceChildren(...reportDetails(item));
}

function vesselDetails(v) {
  const category = vesselCategory(v.ship_type);
  const flag = v.flag ? `${v.flag.country || "?"}${v.flag.alpha2 ? ` (${v.flag.alpha2})` : ""} · MID ${v.flag.mid}` : "unknown";
  const type = v.ship_type_text ? `${v.ship_type_text}${v.ship_type !== null && v.ship_type !== undefined ? ` (${v.ship_type})` : ""}` : v.ship_type ?? "not reported";
  const facts = kv([
    ["MMSI", v.mmsi],
    ["Name", v.name || "not reported"],
    ["Call sign", v.callsign || "not reported"],
    ["Ship type", type],
    ["Flag", flag],
    ["Last report", utc(v.time)],
    ["Position", latLon(v.lat, v.lon)],
    ["Speed", knots(v.sog_kn)],
    ["Course", degrees(v.cog)],
    ["Heading", degrees(v.heading)],
    ["Feed", v.feed],
    ["Trail", `${(v.trail || []).length} fixes`],
    ["Label", markingBadge(v.marking, v.classification)],
  ]);
  return [heading(vesselSymbol(category, true), v.name || "Unnamed vessel", `MMSI ${v.mmsi}`), facts];
}

const SHOWN = new Set(["type", "start", "end", "mmsi", "names", "position", "gate", "gate_name", "direction", "zone", "zone_name", "action"]);

function eventDetails(e) {
  const p = e.payload || {};
  const kind = eventKind(e);
  const span = p.start || p.end ? `${utc(p.start || e.time)} – ${utc(p.end || p.start || e.time)}` : utc(e.time);
  const length = p.start && p.end ? duration(p.start, p.end) : "";
  const pairs = [
    ["Type", eventTitle(e)],
    ["Time", span],
    ["Duration", length],
    ["Vessels", eventVessels(p) || "—"],
    ["Position", latLon(e.lat, e.lon)],
  ];
  if (e.type === "transit") {
    pairs.push(["Gate", p.gate_name ? `${p.gate_name} (${p.gate})` : p.gate]);
    pairs.push(["Direction", p.direction]);
    if (p.from) pairs.push(["From", value(p.from)]);
  }
  if (e.type === "zone") {
    pairs.push(["Zone", p.zone_name ? `${p.zone_name} (${p.zone})` : p.zone]);
    pairs.push(["Action", p.action]);
  }
  for (const [key, val] of Object.entries(p)) {
    if (SHOWN.has(key) || (e.type === "transit" && key === "from")) continue;
    pairs.push([humanKey(key), value(val)]);
  }
  pairs.push(["Feed", e.feed]);
  pairs.push(["Item", e.id]);
  pairs.push(["Label", markingBadge(e.marking, e.classification)]);
  return [heading(eventSymbol(kind), eventTitle(e), eventSummary(e)), kv(pairs)];
}

function reportDetails(r) {
  const item = r.item || {};
  const p = item.payload || {};
  const pairs = [
    ["Kind", humanKey(r.kind)],
    ["Time", utc(r.time)],
    ["Originators", Array.isArray(item.originators) ? item.originators.join(", ") : item.originators],
    ["Area", item.area],
    ["Feed", item.feed],
  ];
  for (const [key, val] of Object.entries(p)) {
    if (key === "title") continue;
    pairs.push([humanKey(key), value(val)]);
  }
  pairs.push(["Item", r.id]);
  pairs.push(["Label", markingBadge(r.marking, r.classification)]);
  return [heading(eventSymbol("other"), reportTitle(r), humanKey(r.kind)), kv(pairs)];
}

/** The operator's table: may each partner receive `itemId`, and why. `answer` null = loading. */
export function renderDecisions(itemId, answer, error) {
  const wrap = document.getElementById("decisions-wrap");
  wrap.hidden = false;
  const title = node("h3", "decisions-title", "Release decisions");
  const about = node("p", "muted small", `Who may receive item ${itemId}, and why (operator view).`);
  if (error) {
    wrap.replaceChildren(title, about, node("p", "error", error));
    return;
  }
  if (!answer) {
    wrap.replaceChildren(title, about, node("p", "muted", "Loading decisions…"));
    return;
  }
  const table = node("table", "data decisions");
  table.id = "decisions";
  const head = node("tr");
  for (const h of ["Partner", "Released", "Reasons"]) head.append(node("th", null, h));
  table.append(node("thead"));
  table.tHead.append(head);
  const tbody = node("tbody");
  for (const d of answer.decisions || []) {
    const tr = node("tr");
    tr.dataset.partner = d.partner;
    tr.dataset.allowed = String(Boolean(d.allowed));
    tr.append(node("td", "partner", d.partner));
    tr.append(node("td", d.allowed ? "allowed yes" : "allowed no", d.allowed ? "✓ released" : "✗ withheld"));
    const reasons = node("td", "reasons");
    const list = node("ul");
    for (const reason of d.reasons || []) list.append(node("li", null, reason));
    const obligations = d.obligations && typeof d.obligations === "object" ? Object.entries(d.obligations) : [];
    for (const [key, val] of obligations) {
      if (val === null || val === false || (Array.isArray(val) && !val.length) || (typeof val === "object" && val && !Object.keys(val).length)) continue;
      list.append(node("li", "obligation", `Obligation: ${humanKey(key)} ${value(val)}`));
    }
    reasons.append(list);
    tr.append(reasons);
    tbody.append(tr);
  }
  table.append(tbody);
  const version = (answer.decisions || []).find((d) => d.policy_version !== undefined);
  const foot = version ? node("p", "muted small", `Policy version ${version.policy_version}.`) : null;
  wrap.replaceChildren(...[title, about, table, foot].filter(Boolean));
}

export function hideDecisions() {
  const wrap = document.getElementById("decisions-wrap");
  wrap.hidden = true;
  wrap.replaceChildren();
}

/** A timeline entry element (li.timeline-entry) for an event or a report. */
export function timelineEntry(entry, item, onPick) {
  const li = node("li", "timeline-entry");
  li.dataset.id = entry.id;
  li.dataset.type = entry.type;
  li.tabIndex = 0;
  li.setAttribute("role", "button");
  const isEvent = entry.kind === "event";
  const kind = isEvent ? eventKind(item) : "other";
  const symbol = eventSymbol(kind);
  const main = node("div", "tl-main");
  const title = isEvent ? eventTitle(item) : EVENT_TITLES[item.kind] || humanKey(item.kind || "report");
  const top = node("div", "tl-top");
  top.append(node("span", "tl-title", title), node("span", "tl-time mono", item.time ? `${day(item.time)} ${clock(item.time)}` : "—"));
  const summary = node("div", "tl-summary", isEvent ? eventSummary(item) || "—" : reportTitle(item));
  const badge = markingBadge(item.marking, item.classification);
  badge.classList.add("tl-marking");
  main.append(top, summary, badge);
  li.append(symbol, main);
  li.title = isEvent ? "Show on the map" : "Show details (a report has no position on the map)";
  li.addEventListener("click", () => onPick(entry));
  li.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      onPick(entry);
    }
  });
  return li;
}

/** Bring the #timeline list in line with `state.timeline` (newest first), reusing elements. */
export function syncTimeline(state, elements, onPick) {
  const list = document.getElementById("timeline");
  const wanted = new Set(state.timeline.map((e) => e.id));
  for (const [id, li] of elements) {
    if (!wanted.has(id)) {
      li.remove();
      elements.delete(id);
    }
  }
  let previous = null;
  for (const entry of state.timeline) {
    let li = elements.get(entry.id);
    const item = entry.kind === "event" ? state.events.get(entry.id) : state.reports.get(entry.id);
    if (!item) continue;
    if (!li) {
      li = timelineEntry(entry, item, onPick);
      elements.set(entry.id, li);
    }
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (expected !== li) list.insertBefore(li, expected);
    previous = li;
  }
  document.getElementById("timeline-empty").hidden = state.timeline.length > 0;
}

export function markTimelineSelection(elements, selection) {
  for (const [id, li] of elements) li.classList.toggle("selected", Boolean(selection && selection.id === id));
}

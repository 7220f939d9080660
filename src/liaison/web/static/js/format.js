// Formatting for people: UTC times, positions in degrees and minutes, speeds, durations, and
// one-line summaries of events and reports. Everything returns plain text (set as textContent).

import { EVENT_TITLES, eventKind } from "./symbols.js";

const pad = (n, width = 2) => String(n).padStart(width, "0");

/** "2026-11-28 04:09:38 UTC" (or "—"). */
export function utc(iso) {
  if (iso === null || iso === undefined || iso === "") return "—";
  const d = iso instanceof Date ? iso : typeof iso === "number" ? new Date(iso) : new Date(Date.parse(iso));
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${clock(d)} UTC`;
}

/** "04:09:38" in UTC. */
export function clock(value) {
  const d = value instanceof Date ? value : new Date(typeof value === "number" ? value : Date.parse(value));
  if (Number.isNaN(d.getTime())) return "—";
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "28 Nov" in UTC. */
export function day(value) {
  const d = new Date(typeof value === "number" ? value : Date.parse(value));
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getUTCDate()} ${d.toLocaleString("en-GB", { month: "short", timeZone: "UTC" })}`;
}

/** "2 h 05 min" between two ISO times (or for a number of seconds). */
export function duration(startOrSeconds, end) {
  let seconds = startOrSeconds;
  if (end !== undefined) seconds = (Date.parse(end) - Date.parse(startOrSeconds)) / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return `${h} h ${pad(minutes % 60)} min`;
}

/** "25°06.00′N 126°12.00′E". */
export function latLon(lat, lon) {
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return "—";
  const part = (value, pos, neg) => {
    const abs = Math.abs(value);
    const deg = Math.floor(abs);
    const min = (abs - deg) * 60;
    return `${deg}°${min.toFixed(2).padStart(5, "0")}′${value >= 0 ? pos : neg}`;
  };
  return `${part(lat, "N", "S")} ${part(lon, "E", "W")}`;
}

export function knots(value) {
  return Number.isFinite(value) ? `${value.toFixed(1)} kn` : "—";
}

export function degrees(value) {
  return Number.isFinite(value) ? `${Math.round(value * 10) / 10}°` : "—";
}

/** "snake_case_key" -> "Snake case key". */
export function humanKey(key) {
  const text = String(key).replace(/[_-]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A payload value as text: positions as lat/lon, times as UTC, lists joined. */
export function value(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) ? utc(v) : v;
  if (Array.isArray(v)) return v.map(value).join(", ");
  if (typeof v === "object" && Number.isFinite(v.lat) && Number.isFinite(v.lon)) return latLon(v.lat, v.lon);
  return JSON.stringify(v);
}

/** "Gate transit", "Zone entry", ... */
export function eventTitle(event) {
  return EVENT_TITLES[eventKind(event)] || EVENT_TITLES[event.type] || humanKey(event.type || "event");
}

/** Vessels of an event: "412442612 QIANDAOHU, 412000001". */
export function eventVessels(payload) {
  const mmsi = Array.isArray(payload.mmsi) ? payload.mmsi : payload.mmsi !== undefined ? [payload.mmsi] : [];
  const names = Array.isArray(payload.names) ? payload.names : [];
  return mmsi.map((m, i) => (names[i] ? `${names[i]} (${m})` : String(m))).join(", ");
}

/** One line saying what happened, e.g. "QIANDAOHU (412442612) · Miyako Strait · East China Sea -> Pacific". */
export function eventSummary(event) {
  const p = event.payload || {};
  const parts = [];
  const vessels = eventVessels(p);
  if (vessels) parts.push(vessels);
  switch (event.type) {
    case "transit":
      if (p.gate_name || p.gate) parts.push(p.gate_name || p.gate);
      if (p.direction) parts.push(p.direction);
      break;
    case "zone":
      if (p.zone_name || p.zone) parts.push(`${p.action === "exit" ? "left" : "entered"} ${p.zone_name || p.zone}`);
      break;
    case "gap":
      if (p.duration_h !== undefined) parts.push(`silent ${p.duration_h} h${p.likely_intentional ? " (likely intentional)" : ""}`);
      break;
    case "encounter":
      if (p.closest_m !== undefined) parts.push(`closest ${p.closest_m} m`);
      if (p.duration_h !== undefined) parts.push(`${p.duration_h} h`);
      break;
    case "loitering":
      if (p.duration_h !== undefined) parts.push(`${p.duration_h} h`);
      break;
    case "jump":
      if (p.implied_speed_kn !== undefined) parts.push(`implied ${Math.round(p.implied_speed_kn)} kn`);
      if (p.distance_nm !== undefined) parts.push(`${p.distance_nm} nm`);
      break;
    default:
      break;
  }
  return parts.join(" · ");
}

/** A report's headline: its title, else its first text field, else its kind. */
export function reportTitle(report) {
  const p = (report.item && report.item.payload) || {};
  for (const key of ["title", "name", "summary", "description", "body", "pattern"]) {
    if (typeof p[key] === "string" && p[key].trim()) return p[key].trim();
  }
  return humanKey(report.kind || "report");
}

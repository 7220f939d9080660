// The partner's data on the map: vessel markers (arrows rotated by heading, else course), their
// trails, and event markers (with a direction arrow for transits, the jump's leap and the gap's
// silent stretch). Zones and gates are filled in by basemap.js; this module owns the groups the
// layers control switches.

import { markingBadge } from "./banner.js";
import { eventSummary, eventTitle, knots, utc } from "./format.js";
import {
  VESSEL_SVG,
  bearing,
  eventColor,
  eventKind,
  eventSvg,
  vesselBearing,
  vesselCategory,
  vesselColor,
} from "./symbols.js";

const L = window.L;

export const STALE_MS = 30 * 60 * 1000;
const Z_VESSELS = 200_000_000; // above event markers (500 + their pixel y)
const Z_RISE = 400_000_000;

const VESSEL_ICON = L.divIcon({ className: "vessel-marker", html: VESSEL_SVG, iconSize: [28, 28], iconAnchor: [14, 14] });

export class PictureLayers {
  constructor(map, { onSelect, getVessel, getEvent }) {
    this.map = map;
    this.onSelect = onSelect;
    this.getVessel = getVessel;
    this.getEvent = getEvent;
    this.groups = {
      Vessels: L.layerGroup(),
      Trails: L.layerGroup(),
      Events: L.layerGroup(),
      Zones: L.layerGroup(),
      Gates: L.layerGroup(),
    };
    this.vesselLayers = new Map(); // id -> {marker, trail, category}
    this.eventLayers = new Map(); // id -> {group, marker}
    this.selected = null;
    this.vesselOrder = 0;
    this.nowMs = null; // the scenario time: vessels silent long before it are drawn faded
    for (const name of ["Zones", "Gates", "Trails", "Events", "Vessels"]) this.groups[name].addTo(map);
  }

  // ---- vessels ------------------------------------------------------------------------------

  updateVessel(vessel) {
    const category = vesselCategory(vessel.ship_type);
    const path = (vessel.trail || []).map((p) => [p[1], p[0]]);
    let entry = this.vesselLayers.get(vessel.id);
    if (!entry) {
      // Where vessels overlap (a formation seen from afar), the one known longest stays on top
      // (its element comes first too), so a track does not vanish under newcomers; the selected
      // one and the one under the mouse rise above all.
      this.vesselOrder += 1;
      const zIndexOffset = Math.max(Z_VESSELS - this.vesselOrder * 5000, 10000);
      const marker = L.marker([vessel.lat, vessel.lon], {
        icon: VESSEL_ICON,
        zIndexOffset,
        riseOnHover: true,
        riseOffset: Z_RISE,
      });
      marker.vesselId = vessel.id;
      marker.baseZ = zIndexOffset;
      marker.on("add", () => this._decorateVessel(marker));
      marker.on("click", () => this.onSelect({ kind: "vessel", id: vessel.id }));
      marker.bindTooltip(() => vesselTip(this.getVessel(vessel.id)), {
        direction: "top",
        offset: [0, -12],
        className: "map-tip",
      });
      marker.bindPopup(() => vesselPopup(this.getVessel(vessel.id)), { className: "map-popup", maxWidth: 300 });
      const trail = L.polyline(path, { pane: "trails", interactive: false, weight: 2, opacity: 0.55, color: vesselColor(category) });
      entry = { marker, trail, category };
      this.vesselLayers.set(vessel.id, entry);
      this.groups.Trails.addLayer(trail);
      this.groups.Vessels.addLayer(marker);
    } else {
      entry.marker.setLatLng([vessel.lat, vessel.lon]);
      entry.trail.setLatLngs(path);
      if (entry.category !== category) {
        entry.category = category;
        entry.trail.setStyle({ color: vesselColor(category) });
      }
      this._decorateVessel(entry.marker);
      refreshOverlays(entry.marker);
    }
    this._styleTrail(vessel.id);
  }

  _decorateVessel(marker) {
    const el = marker.getElement();
    const vessel = this.getVessel(marker.vesselId);
    if (!el || !vessel) return;
    const category = vesselCategory(vessel.ship_type);
    const direction = vesselBearing(vessel);
    el.dataset.id = vessel.id;
    el.dataset.mmsi = vessel.mmsi ?? "";
    el.dataset.feed = vessel.feed ?? "";
    el.dataset.category = category;
    el.dataset.oriented = String(direction !== null);
    el.dataset.heading = direction === null ? "" : String(Math.round(direction));
    el.style.color = vesselColor(category);
    el.setAttribute("aria-label", `Vessel ${vessel.name || ""} MMSI ${vessel.mmsi ?? "unknown"}`.replace(/\s+/g, " "));
    const glyph = el.firstElementChild;
    if (glyph) glyph.style.transform = direction === null ? "" : `rotate(${direction}deg)`;
    el.classList.toggle("selected", this._isSelected("vessel", marker.vesselId));
    el.classList.toggle("stale", this._isStale(vessel));
  }

  _isStale(vessel) {
    const ms = Date.parse(vessel.time);
    return this.nowMs !== null && Number.isFinite(ms) && this.nowMs - ms > STALE_MS;
  }

  /** The scenario time moved: fade the vessels that have been silent too long. */
  setNow(ms) {
    if (ms === null || ms === this.nowMs) return;
    this.nowMs = ms;
    for (const [id, entry] of this.vesselLayers) {
      const el = entry.marker.getElement();
      const vessel = this.getVessel(id);
      if (el && vessel) el.classList.toggle("stale", this._isStale(vessel));
    }
  }

  _styleTrail(id) {
    const entry = this.vesselLayers.get(id);
    if (!entry) return;
    const on = this._isSelected("vessel", id);
    entry.trail.setStyle({ weight: on ? 3.5 : 2, opacity: on ? 0.95 : 0.5 });
  }

  // ---- events -------------------------------------------------------------------------------

  updateEvent(event) {
    this.removeEvent(event.id);
    const kind = eventKind(event);
    const color = eventColor(kind);
    const marker = L.marker([event.lat, event.lon], {
      icon: L.divIcon({ className: "event-marker", html: eventSvg(kind), iconSize: [22, 22], iconAnchor: [11, 11] }),
      zIndexOffset: 500,
      riseOnHover: true,
    });
    marker.eventId = event.id;
    marker.on("add", () => this._decorateEvent(marker));
    marker.on("click", () => this.onSelect({ kind: "event", id: event.id }));
    marker.bindTooltip(() => eventTip(this.getEvent(event.id)), { direction: "top", offset: [0, -10], className: "map-tip" });
    marker.bindPopup(() => eventPopup(this.getEvent(event.id)), { className: "map-popup", maxWidth: 320 });
    const layers = [marker];
    const p = event.payload || {};
    const here = [event.lat, event.lon];
    const line = (a, b, dashArray) =>
      L.polyline([a, b], { pane: "eventlines", color, weight: 2, opacity: 0.85, dashArray, interactive: false });
    if (isPoint(p.from) && (event.type === "transit" || event.type === "jump")) {
      layers.push(line([p.from.lat, p.from.lon], here, event.type === "jump" ? "6 5" : null));
    }
    if (event.type === "gap" && isPoint(p.resumed)) layers.push(line(here, [p.resumed.lat, p.resumed.lon], "2 5"));
    const group = L.featureGroup(layers);
    this.eventLayers.set(event.id, { group, marker });
    this.groups.Events.addLayer(group);
  }

  _decorateEvent(marker) {
    const el = marker.getElement();
    const event = this.getEvent(marker.eventId);
    if (!el || !event) return;
    const kind = eventKind(event);
    el.dataset.id = event.id;
    el.dataset.type = event.type || "";
    el.dataset.kind = kind;
    el.style.color = eventColor(kind);
    el.setAttribute("aria-label", `${eventTitle(event)} ${utc(event.time)}`);
    const p = event.payload || {};
    const glyph = el.firstElementChild;
    if (glyph && event.type === "transit" && isPoint(p.from)) {
      glyph.style.transform = `rotate(${bearing(p.from, { lat: event.lat, lon: event.lon })}deg)`;
    }
    el.classList.toggle("selected", this._isSelected("event", marker.eventId));
  }

  removeEvent(id) {
    const entry = this.eventLayers.get(id);
    if (!entry) return;
    this.groups.Events.removeLayer(entry.group);
    this.eventLayers.delete(id);
  }

  // ---- all ----------------------------------------------------------------------------------

  clear() {
    this.groups.Vessels.clearLayers();
    this.groups.Trails.clearLayers();
    this.groups.Events.clearLayers();
    this.vesselLayers.clear();
    this.vesselOrder = 0;
    this.eventLayers.clear();
    this.selected = null;
    this.map.closePopup();
  }

  setSelected(selection) {
    const before = this.selected;
    this.selected = selection ? { kind: selection.kind, id: selection.id } : null;
    for (const s of [before, this.selected]) {
      if (!s) continue;
      if (s.kind === "vessel") {
        const entry = this.vesselLayers.get(s.id);
        if (entry) {
          entry.marker.setZIndexOffset(this._isSelected("vessel", s.id) ? Z_RISE : entry.marker.baseZ);
          this._decorateVessel(entry.marker);
        }
        this._styleTrail(s.id);
      } else if (s.kind === "event") {
        const entry = this.eventLayers.get(s.id);
        if (entry) this._decorateEvent(entry.marker);
      }
    }
  }

  _isSelected(kind, id) {
    return Boolean(this.selected && this.selected.kind === kind && this.selected.id === id);
  }
}

function isPoint(p) {
  return p && Number.isFinite(p.lat) && Number.isFinite(p.lon);
}

function refreshOverlays(marker) {
  const tip = marker.getTooltip();
  if (tip && marker.isTooltipOpen()) tip.update();
  const popup = marker.getPopup();
  if (popup && marker.isPopupOpen()) popup.update();
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function vesselLabel(v) {
  if (!v) return "";
  return v.name ? `${v.name} (${v.mmsi})` : `MMSI ${v.mmsi}`;
}

function vesselTip(v) {
  const box = el("div");
  if (!v) return box;
  box.append(el("strong", null, v.name || "Unnamed vessel"), el("div", "muted", `MMSI ${v.mmsi}`));
  if (v.ship_type_text) box.append(el("div", "muted", v.ship_type_text));
  return box;
}

function vesselPopup(v) {
  const box = el("div", "popup");
  if (!v) return box;
  box.append(el("div", "popup-title", v.name || "Unnamed vessel"));
  const facts = [`MMSI ${v.mmsi}`];
  if (v.flag && v.flag.country) facts.push(`${v.flag.country}${v.flag.alpha2 ? ` (${v.flag.alpha2})` : ""}`);
  if (v.ship_type_text) facts.push(v.ship_type_text);
  box.append(el("div", "muted", facts.join(" · ")));
  box.append(el("div", null, `${knots(v.sog_kn)} · ${utc(v.time)}`));
  box.append(markingBadge(v.marking, v.classification));
  return box;
}

function eventTip(e) {
  const box = el("div");
  if (!e) return box;
  box.append(el("strong", null, eventTitle(e)), el("div", "muted", utc(e.time)));
  const summary = eventSummary(e);
  if (summary) box.append(el("div", null, summary));
  return box;
}

function eventPopup(e) {
  const box = el("div", "popup");
  if (!e) return box;
  box.append(el("div", "popup-title", eventTitle(e)), el("div", "muted", utc(e.time)));
  const summary = eventSummary(e);
  if (summary) box.append(el("div", null, summary));
  box.append(markingBadge(e.marking, e.classification));
  return box;
}

// The map itself: an offline base map (Natural Earth countries as GeoJSON over a sea-coloured
// background, a 1° graticule), the region's zones and gates, a nautical-mile scale and a
// position readout. Nothing is loaded from outside this hub.

import { api } from "./api.js";
import { bearing } from "./symbols.js";
import { latLon } from "./format.js";

const L = window.L;

// The first view: from Taiwan's north-east (the Yonaguni gap, the Senkaku zones, the Miyako
// gate) up to Kyushu and the Tsushima strait.
export const INITIAL_VIEW = [
  [24.4, 121.3],
  [34.0, 131.5],
];
// Room kept around it for the map's own controls, so that none covers it: the zoom buttons and
// the legend button (top left), the scale, the position readout and the sign-in hint (bottom),
// the layers control (top right, beside Kyushu). Checked at 1280x720 and 1440x900.
const VIEW_PADDING = { paddingTopLeft: [48, 4], paddingBottomRight: [120, 88] };

export function createMap(element) {
  const map = L.map(element, {
    attributionControl: false,
    zoomControl: true,
    minZoom: 3,
    maxZoom: 14,
    worldCopyJump: false,
    zoomSnap: 0.5,
    preferCanvas: false,
  });
  // Everything drawn below the markers lives in panes inside Leaflet's overlay pane, stacked
  // bottom to top: land, graticule, zones, gates, trails, event lines.
  const overlay = map.getPane("overlayPane");
  ["basemap", "graticule", "zones", "gates", "trails", "eventlines"].forEach((name, i) => {
    map.createPane(name, overlay).style.zIndex = String(i + 1);
  });
  map.getPane("basemap").style.pointerEvents = "none";
  map.getPane("graticule").style.pointerEvents = "none";
  map.fitBounds(INITIAL_VIEW, VIEW_PADDING);
  L.control.attribution({ prefix: false, position: "bottomright" }).addTo(map).addAttribution(
    "Natural Earth · world-atlas · Leaflet",
  );
  new NauticalScale({ position: "bottomleft" }).addTo(map);
  new MousePosition({ position: "bottomright" }).addTo(map);
  graticule().addTo(map);
  return map;
}

/** Country polygons from /static/vendor/basemap.geojson (drawn on canvas: many vertices). */
export async function loadBasemap(map) {
  let data = await api("/static/vendor/basemap.geojson", { auth: false });
  if (typeof data === "string") data = JSON.parse(data); // served as text by some set-ups
  const layer = L.geoJSON(data, {
    pane: "basemap",
    renderer: L.svg({ pane: "basemap", padding: 0.5 }),
    interactive: false,
    style: () => ({ color: "#4a5d70", weight: 0.8, fillColor: "#1e2a35", fillOpacity: 1 }),
  });
  layer.addTo(map);
  return layer;
}

function graticule() {
  const lines = [];
  for (let lat = -50; lat <= 60; lat += 1) lines.push([[lat, 90], [lat, 180]]);
  for (let lon = 90; lon <= 180; lon += 1) lines.push([[-50, lon], [60, lon]]);
  return L.polyline(lines, {
    pane: "graticule",
    renderer: L.canvas({ pane: "graticule" }),
    interactive: false,
    color: "#6d8aa6",
    weight: 0.5,
    opacity: 0.22,
  });
}

const ZONE_STYLES = {
  "territorial-sea": { color: "#ff7a45", weight: 1.6, fillColor: "#ff7a45", fillOpacity: 0.16 },
  "contiguous-zone": { color: "#f4c542", weight: 1.4, dashArray: "6 5", fillColor: "#f4c542", fillOpacity: 0.05 },
};
const ZONE_KIND_TEXT = {
  "territorial-sea": "Territorial sea",
  "contiguous-zone": "Contiguous zone",
};

/** Zones and gates from /api/v1/region.geojson, as two layers {zones, gates}. */
export async function loadRegion(zones, gates) {
  let data = await api("/api/v1/region.geojson", { auth: false });
  if (typeof data === "string") data = JSON.parse(data);
  const features = (data && data.features) || [];
  L.geoJSON(
    { type: "FeatureCollection", features: features.filter((f) => f.properties && f.properties.role === "zone") },
    {
      pane: "zones",
      style: (f) => ZONE_STYLES[f.properties.kind] || { color: "#9fb3c8", weight: 1, fillOpacity: 0.05 },
      onEachFeature: (f, layer) => {
        layer.bindTooltip(zoneTip(f.properties), { sticky: true, className: "map-tip" });
      },
    },
  ).eachLayer((layer) => zones.addLayer(layer));
  for (const f of features) {
    if (!f.properties || f.properties.role !== "gate" || !f.geometry || f.geometry.type !== "LineString") continue;
    gateLayers(f).forEach((layer) => gates.addLayer(layer));
  }
  return features;
}

function zoneTip(p) {
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = p.name || p.id || "Zone";
  const kind = document.createElement("div");
  kind.className = "muted";
  kind.textContent = ZONE_KIND_TEXT[p.kind] || p.kind || "";
  box.append(title, kind);
  return box;
}

function gateTip(p) {
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = `Gate: ${p.name || p.id}`;
  box.append(title);
  const rows = [
    ["Positive direction (arrow)", p.positive_direction],
    ["Negative direction", p.negative_direction],
  ];
  for (const [label, text] of rows) {
    if (!text) continue;
    const row = document.createElement("div");
    const key = document.createElement("span");
    key.className = "muted";
    key.textContent = `${label}: `;
    row.append(key, document.createTextNode(text));
    box.append(row);
  }
  return box;
}

/** The gate line and an arrow at its middle pointing the positive way (from its left side to
 *  its right side, walking the line from first point to last). */
function gateLayers(feature) {
  const p = feature.properties;
  const coords = feature.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
  const line = L.polyline(coords, { pane: "gates", color: "#c792ff", weight: 3, opacity: 0.9, dashArray: "10 6" });
  line.bindTooltip(gateTip(p), { sticky: true, className: "map-tip" });
  const mid = Math.floor((coords.length - 1) / 2);
  const a = { lat: coords[mid][0], lon: coords[mid][1] };
  const b = { lat: coords[mid + 1 < coords.length ? mid + 1 : mid][0], lon: coords[mid + 1 < coords.length ? mid + 1 : mid][1] };
  const centre = coords.length === 2 ? [(a.lat + b.lat) / 2, (a.lon + b.lon) / 2] : coords[mid];
  const rotate = (bearing(a, b) + 90) % 360;
  const arrow = L.marker(centre, {
    pane: "gates",
    keyboard: false,
    icon: L.divIcon({
      className: "gate-arrow",
      html:
        '<svg viewBox="-12 -12 24 24" width="24" height="24" aria-hidden="true">' +
        '<path d="M0,-10 L7,2 L2.5,0 L2.5,9 L-2.5,9 L-2.5,0 L-7,2 Z"/></svg>',
      iconSize: [24, 24],
      iconAnchor: [12, 12],
    }),
  });
  arrow.on("add", () => {
    const el = arrow.getElement();
    if (!el) return;
    el.dataset.gate = p.id || "";
    el.firstChild.style.transform = `rotate(${rotate}deg)`;
  });
  arrow.bindTooltip(gateTip(p), { className: "map-tip", direction: "top", offset: [0, -10] });
  const label = L.marker(centre, {
    pane: "gates",
    interactive: false,
    keyboard: false,
    icon: L.divIcon({ className: "gate-label", html: "", iconSize: null, iconAnchor: [-14, 8] }),
  });
  label.on("add", () => {
    const el = label.getElement();
    if (el) el.textContent = p.name || p.id || "";
  });
  return [line, arrow, label];
}

/** Leaflet's scale with a nautical-mile bar added (and the metric one kept). */
const NauticalScale = L.Control.Scale.extend({
  options: { metric: true, imperial: false, maxWidth: 140 },
  _addScales(options, className, container) {
    this._nScale = L.DomUtil.create("div", className + " nautical", container);
    L.Control.Scale.prototype._addScales.call(this, options, className, container);
  },
  _updateScales(maxMeters) {
    L.Control.Scale.prototype._updateScales.call(this, maxMeters);
    const maxNm = maxMeters / 1852;
    const nm = this._getRoundNum(maxNm);
    const text = nm < 1 ? `${Number(nm.toPrecision(2))} nm` : `${nm} nm`;
    this._updateScale(this._nScale, text, nm / maxNm);
  },
});

/** Latitude and longitude under the mouse, degrees and minutes. */
const MousePosition = L.Control.extend({
  onAdd(map) {
    const div = L.DomUtil.create("div", "leaflet-control mouse-position");
    div.textContent = "Move the mouse over the map for its position";
    map.on("mousemove", (e) => {
      div.textContent = latLon(e.latlng.lat, L.Util.wrapNum(e.latlng.lng, [-180, 180], true));
    });
    map.on("mouseout", () => {
      div.textContent = "—";
    });
    return div;
  },
});

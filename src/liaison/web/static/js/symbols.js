// Map symbols: vessel arrows coloured by ship type, event glyphs by event type. The SVG here is
// constant markup (no data from the hub goes into it); colours come from map.css through the
// `data-category` / `data-kind` attributes, so the legend and the map always agree.

export const VESSEL_CATEGORIES = [
  { id: "military", label: "Military, law enforcement", color: "#ffd23f" },
  { id: "cargo", label: "Cargo", color: "#6fcf70" },
  { id: "tanker", label: "Tanker", color: "#ef6a5f" },
  { id: "passenger", label: "Passenger", color: "#4fb0f0" },
  { id: "fishing", label: "Fishing", color: "#f5a25d" },
  { id: "service", label: "Tug, pilot, SAR", color: "#3fd0c9" },
  { id: "leisure", label: "Fast craft, sailing, leisure", color: "#d08cff" },
  { id: "other", label: "Other, type unknown", color: "#b6c2ce" },
];

const VESSEL_COLORS = Object.fromEntries(VESSEL_CATEGORIES.map((c) => [c.id, c.color]));
export const vesselColor = (category) => VESSEL_COLORS[category] || VESSEL_COLORS.other;

/** The colour category of an AIS ship type code (ITU-R M.1371 table 53). */
export function vesselCategory(shipType) {
  const t = Number(shipType);
  if (!Number.isFinite(t)) return "other";
  if (t === 35 || t === 55) return "military";
  if (t >= 70 && t <= 79) return "cargo";
  if (t >= 80 && t <= 89) return "tanker";
  if (t >= 60 && t <= 69) return "passenger";
  if (t === 30) return "fishing";
  if (t === 31 || t === 32 || t === 33 || t === 34 || (t >= 50 && t <= 59)) return "service";
  if (t === 36 || t === 37 || (t >= 40 && t <= 49)) return "leisure";
  return "other";
}

/** Degrees the arrow points: heading if reported, else course over ground, else null. */
export function vesselBearing(vessel) {
  const heading = Number(vessel.heading);
  if (vessel.heading !== null && vessel.heading !== undefined && heading >= 0 && heading < 360) return heading;
  const cog = Number(vessel.cog);
  if (vessel.cog !== null && vessel.cog !== undefined && cog >= 0 && cog < 360) return cog;
  return null;
}

// A ship-like arrow pointing up (north) when not rotated, and a dot for "no direction".
export const VESSEL_SVG =
  '<svg class="vessel-glyph" viewBox="-14 -14 28 28" width="28" height="28" aria-hidden="true">' +
  '<circle class="vessel-select" r="12.5"/>' +
  '<circle class="vessel-hit" r="8"/>' +
  '<path class="vessel-arrow" d="M0,-12 C3.5,-7 5,-2 5,4 L5,9 L-5,9 L-5,4 C-5,-2 -3.5,-7 0,-12 Z"/>' +
  '<line class="vessel-bow" x1="0" y1="-12" x2="0" y2="-5"/>' +
  '<circle class="vessel-dot" r="5"/>' +
  "</svg>";

export const EVENT_KINDS = [
  { id: "transit", label: "Gate transit", hint: "A vessel crossed a gate; the arrow points the way it crossed (a line joins its previous fix)", color: "#3ee0f0" },
  { id: "zone-entry", label: "Zone entry", hint: "A vessel entered a territorial sea or contiguous zone", color: "#ff9f1c" },
  { id: "zone-exit", label: "Zone exit", hint: "A vessel left a territorial sea or contiguous zone", color: "#ff9f1c" },
  { id: "gap", label: "AIS gap (went dark)", hint: "A vessel was silent for 6 h or more; a dotted line leads to where it reappeared", color: "#c3cbd4" },
  { id: "encounter", label: "Encounter", hint: "Two vessels within 500 m for 2 h or more at under 2 kn", color: "#ff6fb5" },
  { id: "loitering", label: "Loitering", hint: "One vessel under 2 kn for 2 h or more away from port", color: "#e8e35a" },
  { id: "jump", label: "Implausible jump", hint: "Implied speed over 50 kn between reports (spoofing or two ships with one MMSI); a dashed line joins the previous fix", color: "#ff4b4b" },
  { id: "other", label: "Other event", hint: "An event of another type", color: "#9fb3c8" },
];

const EVENT_COLORS = Object.fromEntries(EVENT_KINDS.map((k) => [k.id, k.color]));
export const eventColor = (kind) => EVENT_COLORS[kind] || EVENT_COLORS.other;

export const EVENT_TITLES = {
  transit: "Gate transit",
  "zone-entry": "Zone entry",
  "zone-exit": "Zone exit",
  zone: "Zone entry/exit",
  gap: "AIS gap",
  encounter: "Encounter",
  loitering: "Loitering",
  jump: "Implausible jump",
  report: "Report",
  indicator: "Indicator",
  other: "Event",
};

/** The symbol kind of an event: its type, zone split into entry/exit. */
export function eventKind(event) {
  const type = event && event.type;
  if (type === "zone") {
    const action = event.payload && event.payload.action;
    return action === "exit" ? "zone-exit" : "zone-entry";
  }
  return EVENT_SVG[type] ? type : "other";
}

const BG = '<circle class="ev-bg" r="10.5"/>';

export const EVENT_SVG = {
  transit: BG + '<path class="ev-stroke" d="M0,7.5 V-1"/><path class="ev-fill" d="M0,-8.5 L5.2,-0.5 L-5.2,-0.5 Z"/>',
  "zone-entry":
    '<path class="ev-fill ev-edge" d="M0,-10 L10,0 L0,10 L-10,0 Z"/>' +
    '<path class="ev-ink" d="M-4.5,0 H4.5 M0,-4.5 V4.5"/>',
  "zone-exit":
    '<path class="ev-hollow" d="M0,-9 L9,0 L0,9 L-9,0 Z"/>' + '<path class="ev-stroke" d="M-4.5,0 H4.5"/>',
  gap:
    BG +
    '<circle class="ev-stroke" r="6.5" stroke-dasharray="3 2.2"/>' +
    '<path class="ev-stroke" d="M-6,6 L6,-6"/>',
  encounter: BG + '<circle class="ev-stroke" cx="-3" r="5"/><circle class="ev-stroke" cx="3" r="5"/>',
  loitering:
    BG +
    '<path class="ev-stroke" d="M5.5,2.5 A6,6 0 1 1 2.5,-5.5"/>' +
    '<path class="ev-fill" d="M0.5,-9 L6,-5.2 L0.8,-2 Z"/>',
  jump: BG + '<path class="ev-fill" d="M1.5,-9 L-5,1 L-0.5,1 L-2,9 L5,-1.5 L0.5,-1.5 Z"/>',
  other: BG + '<circle class="ev-fill" r="4"/>',
};

/** The SVG of an event symbol (constant markup), rotatable around its centre. */
export function eventSvg(kind) {
  return (
    '<svg class="event-glyph" viewBox="-12 -12 24 24" width="22" height="22" aria-hidden="true">' +
    (EVENT_SVG[kind] || EVENT_SVG.other) +
    "</svg>"
  );
}

/** An element for legends and timeline entries: the symbol of an event kind. */
export function eventSymbol(kind, rotate = null) {
  const span = document.createElement("span");
  span.className = "event-symbol";
  span.dataset.kind = kind;
  span.style.color = eventColor(kind);
  span.innerHTML = eventSvg(kind); // constant markup only
  if (rotate !== null) span.firstChild.style.transform = `rotate(${rotate}deg)`;
  return span;
}

/** An element for the legend: a vessel arrow of a category. */
export function vesselSymbol(category, oriented = true) {
  const span = document.createElement("span");
  span.className = "vessel-symbol";
  span.dataset.category = category;
  span.dataset.oriented = String(oriented);
  span.style.color = vesselColor(category);
  span.innerHTML = VESSEL_SVG; // constant markup only
  if (oriented) span.firstChild.style.transform = "rotate(45deg)";
  return span;
}

/** Initial great-circle bearing from a to b ({lat, lon}), degrees clockwise from north. */
export function bearing(a, b) {
  const rad = Math.PI / 180;
  const φ1 = a.lat * rad;
  const φ2 = b.lat * rad;
  const Δλ = (b.lon - a.lon) * rad;
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return ((Math.atan2(y, x) / rad) + 360) % 360;
}

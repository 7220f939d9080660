// The layers control (overlays Vessels, Trails, Events, Zones, Gates) and the legend (#legend)
// explaining every symbol on the map: a "Legend" button that opens it.

import { EVENT_KINDS, VESSEL_CATEGORIES, eventSymbol, vesselSymbol } from "./symbols.js";

const L = window.L;

export function addLayersControl(map, groups) {
  const overlays = {};
  for (const name of ["Vessels", "Trails", "Events", "Zones", "Gates"]) overlays[name] = groups[name];
  return L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map);
}

function node(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function row(symbol, text) {
  const li = node("li", "legend-row");
  li.append(symbol, node("span", "legend-text", text));
  return li;
}

function swatch(className) {
  const span = node("span", `legend-swatch ${className}`);
  span.setAttribute("aria-hidden", "true");
  return span;
}

function section(title, rows) {
  const box = node("section", "legend-section");
  box.append(node("h3", null, title));
  const list = node("ul", "legend-list");
  list.append(...rows);
  box.append(list);
  return box;
}

const Legend = L.Control.extend({
  options: { position: "topleft" },
  onAdd() {
    // Collapsed at every page load (a small "Legend" button under the zoom buttons), so the
    // first view of the sea is never covered; opened, it hangs from the top-left corner over
    // the Chinese coast, above the Senkakus and the straits. Escape closes it again.
    const details = node("details", "leaflet-control legend");
    details.id = "legend";
    details.open = false;
    const summary = node("summary", "legend-summary");
    summary.title = "Show or hide the key to the map's symbols";
    summary.append(node("span", "legend-summary-text", "Legend"));
    details.append(summary);
    details.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && details.open) {
        e.stopPropagation();
        details.open = false;
        summary.focus();
      }
    });

    const body = node("div", "legend-body");
    const vessels = VESSEL_CATEGORIES.map((c) => row(vesselSymbol(c.id), c.label));
    vessels.push(row(vesselSymbol("other", false), "No heading or course"));
    vessels.push(row(swatch("trail"), "Trail (last 40 fixes)"));
    const faded = vesselSymbol("other");
    faded.classList.add("stale");
    vessels.push(row(faded, "Faded: silent 30 min or more"));
    const vesselBox = section("Vessels", vessels);
    vesselBox.title = "Arrows point along the reported heading, else the course over ground; colour = ship type";

    const events = EVENT_KINDS.map((k) => {
      const li = row(eventSymbol(k.id, k.id === "transit" ? 90 : null), k.label);
      if (k.hint) li.title = k.hint;
      return li;
    });
    const eventBox = section("Events", events);

    const areas = [
      row(swatch("territorial"), "Territorial sea"),
      row(swatch("contiguous"), "Contiguous zone"),
      row(swatch("gate"), "Gate (strait line)"),
      row(gateArrow(), "Gate’s positive way"),
    ];
    areas[2].title = "Transits are counted where tracks cross a gate; hover a gate for its name and directions";
    areas[3].title = "The arrow on a gate points its positive direction, e.g. East China Sea -> Pacific";
    const areaBox = section("Areas", areas);
    const side = node("div", "legend-column");
    side.append(eventBox, areaBox);
    body.append(vesselBox, side);
    details.append(body);
    details.append(
      node("p", "legend-note", "Hover a symbol for its name, click it for details. The bars above and below show the highest classification on screen."),
    );
    L.DomEvent.disableClickPropagation(details);
    L.DomEvent.disableScrollPropagation(details);
    return details;
  },
});

function gateArrow() {
  const span = node("span", "legend-gate-arrow");
  span.setAttribute("aria-hidden", "true");
  span.innerHTML = // constant markup only
    '<svg viewBox="-12 -12 24 24" width="18" height="18"><path d="M0,-10 L7,2 L2.5,0 L2.5,9 L-2.5,9 L-2.5,0 L-7,2 Z"/></svg>';
  return span;
}

export function addLegend(map) {
  return new Legend().addTo(map);
}

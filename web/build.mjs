// Builds the web map's vendored assets from the npm packages installed beside this file:
// Leaflet's script, style and images, and the offline base map (Natural Earth country shapes
// from world-atlas, TopoJSON converted to GeoJSON with topojson-client). Run by `make`, never
// by the hub at run time: the hub serves only what this wrote.
//
//   node web/build.mjs OUT_DIR
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = process.argv[2];
if (!out) {
  console.error("usage: node web/build.mjs OUT_DIR");
  process.exit(2);
}

// The Asia-Pacific window the hub's users look at (west, south, east, north): countries outside
// it are left out so that the browser draws a few hundred polygons, not the world's.
const WINDOW = [90, -50, 180, 60];
const DECIMALS = 3; // ~100 m: finer than the 1:50m source's own detail

function version(pkg) {
  return JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
}

function bbox(geometry) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === "number") {
      box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
    } else c.forEach(walk);
  };
  walk(geometry.coordinates);
  return box;
}

function overlaps([w, s, e, n]) {
  return w <= WINDOW[2] && e >= WINDOW[0] && s <= WINDOW[3] && n >= WINDOW[1];
}

function rounded(c) {
  if (typeof c[0] === "number") return c.map((v) => Number(v.toFixed(DECIMALS)));
  return c.map(rounded);
}

const leafletOut = join(out, "leaflet");
mkdirSync(join(leafletOut, "images"), { recursive: true });
const dist = join(modules, "leaflet", "dist");
for (const name of ["leaflet.js", "leaflet.css"]) copyFileSync(join(dist, name), join(leafletOut, name));
for (const name of readdirSync(join(dist, "images"))) {
  copyFileSync(join(dist, "images", name), join(leafletOut, "images", name));
}

const topology = JSON.parse(readFileSync(join(modules, "world-atlas", "countries-50m.json"), "utf8"));
const countries = feature(topology, topology.objects.countries);
const kept = countries.features
  .filter((f) => f.geometry && overlaps(bbox(f.geometry)))
  .map((f) => ({
    type: "Feature",
    id: f.id,
    properties: { name: f.properties.name },
    geometry: { type: f.geometry.type, coordinates: rounded(f.geometry.coordinates) },
  }));
const basemap = { type: "FeatureCollection", features: kept };
writeFileSync(join(out, "basemap.geojson"), JSON.stringify(basemap));

const manifest = {
  leaflet: version("leaflet"),
  "world-atlas": version("world-atlas"),
  "topojson-client": version("topojson-client"),
  basemap: { source: "Natural Earth 1:50m countries (public domain), via world-atlas", countries: kept.length, window: WINDOW },
};
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`web assets in ${out}: Leaflet ${manifest.leaflet}, base map of ${kept.length} countries`);

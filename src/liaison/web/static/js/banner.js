// The label banner (#banner-top, #banner-bottom): the marking of the highest classification among
// what the page shows, the lowest when it shows nothing; and per-item marking badges. The
// classifications and their markings come from the hub's SPIF (/api/v1/classifications).
//
//   await initBanner();                         // loads the classifications, shows the lowest
//   setBanner(["RESTRICTED", "UNCLASSIFIED"]);  // shows "NATO RESTRICTED"
//   panel.append(markingBadge(item.marking, item.classification));

import { api } from "./api.js";

let policy = null;
let classifications = []; // [{name, rank, marking}], lowest first

/** Load the classifications and show the lowest. Resolves with them ([] if the hub failed). */
export async function initBanner() {
  try {
    const data = await api("/api/v1/classifications", { auth: false });
    policy = data.policy || null;
    classifications = (data.classifications || []).map((c, i) => ({
      name: String(c.name),
      rank: Number.isFinite(c.rank) ? c.rank : i,
      marking: String(c.marking || c.name),
    }));
    classifications.sort((a, b) => a.rank - b.rank);
  } catch {
    classifications = [];
  }
  setBanner([]);
  return classifications;
}

export function classificationList() {
  return classifications.slice();
}

export function policyName() {
  return policy;
}

/** The rank of a classification name; unknown names rank above every known one (over-mark). */
export function rankOf(name) {
  const found = classifications.find((c) => c.name === name);
  return found ? found.rank : Number.MAX_SAFE_INTEGER;
}

/** Colour level for a classification: unclassified|restricted|confidential|secret|top-secret|unknown. */
export function levelOf(name) {
  const upper = String(name || "").toUpperCase();
  if (!upper) return "unknown";
  if (upper.includes("TOP SECRET") || upper.includes("COSMIC")) return "top-secret";
  if (upper.includes("SECRET")) return "secret";
  if (upper.includes("CONFIDENTIAL")) return "confidential";
  if (upper.includes("RESTRICTED") || upper.includes("OFFICIAL-SENSITIVE") || upper.includes("SENSITIVE")) {
    return "restricted";
  }
  if (upper.includes("UNCLASSIFIED") || upper.includes("PUBLIC") || upper === "OFFICIAL") return "unclassified";
  // Another policy's names: colour by position in its hierarchy.
  const index = classifications.findIndex((c) => c.name === name);
  if (index < 0) return "unknown";
  const scale = ["unclassified", "restricted", "confidential", "secret", "top-secret"];
  const step = classifications.length > 1 ? index / (classifications.length - 1) : 0;
  return scale[Math.round(step * (scale.length - 1))];
}

/** The highest of `names` (an iterable of classification names), or null. */
export function highest(names) {
  let top = null;
  let topRank = -1;
  for (const name of names) {
    if (!name) continue;
    const rank = rankOf(name);
    if (rank > topRank) {
      top = name;
      topRank = rank;
    }
  }
  return top;
}

let shown = undefined;

/** Show the highest of `names` in both banners (the lowest classification when empty). */
export function setBanner(names) {
  let name = highest(names || []);
  let marking;
  if (name === null) {
    const lowest = classifications[0];
    name = lowest ? lowest.name : "";
    marking = lowest ? lowest.marking : "CLASSIFICATION UNKNOWN";
  } else {
    const found = classifications.find((c) => c.name === name);
    marking = found ? found.marking : (policy ? `${policy} ${name}` : name);
  }
  if (shown === `${name}\u0000${marking}`) return;
  shown = `${name}\u0000${marking}`;
  for (const id of ["banner-top", "banner-bottom"]) {
    const el = document.getElementById(id);
    if (!el) continue;
    el.textContent = marking;
    el.dataset.classification = name;
    el.dataset.level = name ? levelOf(name) : "unknown";
    el.title = `Highest classification of what this page shows: ${marking}`;
  }
}

/** A span.marking with the item's own marking, coloured by its classification. */
export function markingBadge(marking, classification) {
  const span = document.createElement("span");
  span.className = "marking";
  span.textContent = marking || classification || "UNMARKED";
  span.dataset.level = levelOf(classification);
  if (classification) span.dataset.classification = classification;
  return span;
}

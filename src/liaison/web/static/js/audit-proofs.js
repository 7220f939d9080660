// The audit log's cryptography, as the hub computes it (liaison/audit/): the canonical JSON of an
// entry, the bytes a head's signature covers, SHA-256 leaf and node hashes, and RFC 9162 inclusion
// and consistency proofs. Pure functions over bytes (WebCrypto's SHA-256): no DOM, no requests.

const LOG_NAME = "liaison-audit";

export function short(hex, n = 16) {
  return hex && hex.length > n ? `${hex.slice(0, n)}…` : hex || "";
}

// --- bytes, hashes, canonical JSON -------------------------------------------------------------

const encoder = new TextEncoder();

export function hex(bytes) {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(text) {
  if (typeof text !== "string" || !/^([0-9a-fA-F]{2})*$/.test(text)) throw new Error(`not hexadecimal: ${short(String(text))}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function fromBase64(text) {
  const raw = atob(text);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// Python's json with sort_keys and separators (",", ":") and ensure_ascii=False: keys sorted by
// code point, no spaces, non-ASCII kept. (JavaScript writes strings' escapes the same way.)
function byCodePoint(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

function canonical(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort(byCodePoint);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
}

// Exactly the bytes the hub signs (liaison/audit/heads.py `signed_bytes`).
export function signedBytes(head) {
  return encoder.encode(canonical({ log: LOG_NAME, root: head.root, size: head.size, time: head.time }));
}

// --- RFC 9162 Merkle proofs (as liaison/audit/merkle.py) ----------------------------------------

const odd = (n) => n % 2 === 1;
const half = (n) => Math.floor(n / 2); // sizes beyond 2^31: no 32-bit bit operators

function powerOfTwo(n) {
  let m = n;
  while (m > 1 && m % 2 === 0) m /= 2;
  return m === 1;
}

export async function leafHash(entry) {
  return sha256(concat(new Uint8Array([0]), encoder.encode(canonical(entry))));
}

async function nodeHash(left, right) {
  return sha256(concat(new Uint8Array([1]), left, right));
}

// §2.1.3.2: is `leaf` (a leaf hash) at `index` in the tree of `size` whose root is `root`?
export async function verifyInclusion(leaf, index, size, proof, root) {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, root);
}

// §2.1.4.2: does the tree (second, secondRoot) extend (first, firstRoot)?
export async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second)) || first < 0 || first > second) return false;
  const path = [...proof];
  if (first === 0) return !path.length && equalBytes(firstRoot, await sha256(new Uint8Array()));
  if (first === second) return !path.length && equalBytes(firstRoot, secondRoot);
  if (!path.length) return false;
  if (powerOfTwo(first)) path.unshift(firstRoot); // the old tree is a complete left subtree
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot);
}

// Talking to the hub: the partner token (kept in this tab's sessionStorage, sent as a bearer
// header, never put in a URL), JSON requests, and readable errors. Shared by every page.
//
//   import { api, signedIn, signIn, signOut, ApiError, describeError, errorText } from "./api.js";
//   const who = await api("/api/v1/whoami");
//   const picture = await api("/api/v1/picture", { query: { partner: "JPN" }, signal });
//
// A 401 answer also dispatches `liaison:unauthorized` on window (detail: the ApiError), so a
// page can go back to its signed-out state wherever the refusal happened.

const TOKEN_KEY = "liaison.token";

export class ApiError extends Error {
  constructor(status, kind, detail) {
    super(detail || kind || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status; // 0 when the hub could not be reached
    this.kind = kind;
    this.detail = detail;
  }
}

export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function signedIn() {
  return Boolean(token());
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN_KEY, value.trim());
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** `path` with the query parameters that are not null/undefined/"". */
export function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  if (!text) return path;
  return path + (path.includes("?") ? "&" : "?") + text;
}

/**
 * Call the hub. opts: method, body (an object is sent as JSON), query, signal, headers,
 * auth (false: send no token), raw (true: return the Response itself, for streams).
 * Resolves with the parsed JSON (or text); rejects with an ApiError (or the AbortError).
 */
export async function api(path, opts = {}) {
  const headers = new Headers(opts.headers || {});
  const bearer = token();
  if (bearer && opts.auth !== false) headers.set("Authorization", `Bearer ${bearer}`);
  if (!headers.has("Accept")) headers.set("Accept", "application/json");
  let body = opts.body;
  if (body !== undefined && body !== null && typeof body !== "string" && !(body instanceof FormData)) {
    body = JSON.stringify(body);
    headers.set("Content-Type", "application/json");
  }
  let response;
  try {
    response = await fetch(withQuery(path, opts.query), {
      method: opts.method || (body ? "POST" : "GET"),
      headers,
      body,
      signal: opts.signal,
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, "network", "The hub cannot be reached (network error).");
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401) {
      window.dispatchEvent(new CustomEvent("liaison:unauthorized", { detail: error }));
    }
    throw error;
  }
  if (opts.raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.text();
}

async function errorOf(response) {
  let kind = `http-${response.status}`;
  let detail = "";
  try {
    const text = await response.text();
    try {
      const data = JSON.parse(text);
      if (data && typeof data === "object") {
        kind = typeof data.error === "string" ? data.error : kind;
        detail = typeof data.detail === "string" ? data.detail : data.detail ? JSON.stringify(data.detail) : "";
      }
    } catch {
      detail = text.slice(0, 200);
    }
  } catch {
    /* the body is unreadable: keep the status */
  }
  return new ApiError(response.status, kind, detail || `${response.status} ${response.statusText}`.trim());
}

/** A sentence for a person: what went wrong, without stack traces. */
export function describeError(err) {
  if (!err) return "Something went wrong.";
  if (err instanceof ApiError) {
    if (err.status === 0) return err.detail;
    if (err.status === 401) return `The hub refused the token: ${err.detail}`;
    if (err.status === 403) return `Not allowed: ${err.detail}`;
    if (err.status === 404) return `Not found: ${err.detail}`;
    return `The hub answered ${err.status} (${err.kind}): ${err.detail}`;
  }
  return err.message || String(err);
}

/** The hub's own sentence for an error (its detail), without describeError's preamble. */
export function errorText(err) {
  if (!err) return "unknown error";
  return err.detail || err.message || String(err);
}

/** A refusal of the token: chrome.js has already gone back to the signed-out state. */
export function isUnauthorized(err) {
  return Boolean(err) && err.status === 401;
}

// The live stream: Server-Sent Events read with fetch() (EventSource cannot send the bearer
// token), parsed here, resumed after the last cursor seen when the connection drops, with a
// backoff of 1 s doubling to 10 s. A stream silent for longer than the hub's keep-alive period
// (15 s) is treated as dead and reopened.
//
//   const live = new LiveStream({ after: picture.cursor, query: { partner },
//     onRelease: (entry) => ..., onState: (state, info) => ..., onUnauthorized: (err) => ... });
//   live.start(); ... live.stop();

import { api, ApiError } from "./api.js";

const MIN_DELAY = 1000;
const MAX_DELAY = 10000;
const SILENCE_MS = 45000; // three missed keep-alives

export class LiveStream {
  constructor({ after = 0, query = {}, onRelease, onState, onUnauthorized, path = "/api/v1/stream" }) {
    this.cursor = Number(after) || 0;
    this.query = query;
    this.path = path;
    this.onRelease = onRelease || (() => {});
    this.onState = onState || (() => {});
    this.onUnauthorized = onUnauthorized || (() => {});
    this.controller = null;
    this.stopped = false;
    this.delay = MIN_DELAY;
    this.lastFrame = 0;
    this.watchdog = null;
  }

  start() {
    this.stopped = false;
    this._loop();
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
    clearInterval(this.watchdog);
    this.watchdog = null;
  }

  async _loop() {
    while (!this.stopped) {
      this.controller = new AbortController();
      this.onState("connecting", { cursor: this.cursor });
      let reason = "closed";
      try {
        const response = await api(this.path, {
          query: { ...this.query, after: this.cursor },
          headers: { Accept: "text/event-stream" },
          signal: this.controller.signal,
          raw: true,
        });
        this.delay = MIN_DELAY;
        this.onState("live", { cursor: this.cursor });
        reason = await this._read(response.body);
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof ApiError && err.status === 401) {
          this.stopped = true;
          this.onUnauthorized(err);
          return;
        }
        reason = err && err.name === "AbortError" ? "silent" : (err && err.message) || "error";
      } finally {
        clearInterval(this.watchdog);
        this.watchdog = null;
      }
      if (this.stopped) return;
      if (reason === "revoked") continue;
      const wait = this.delay;
      this.delay = Math.min(this.delay * 2, MAX_DELAY);
      this.onState("offline", { reason, retryMs: wait, cursor: this.cursor });
      await sleep(wait);
    }
  }

  /** Read frames until the body ends or the hub says shutdown; the reason the read ended. */
  async _read(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    this.lastFrame = Date.now();
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastFrame > SILENCE_MS && this.controller) this.controller.abort();
    }, 5000);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return "closed";
        this.lastFrame = Date.now();
        for (const frame of parser.push(decoder.decode(value, { stream: true }))) {
          const ended = this._frame(frame);
          if (ended) {
            reader.cancel().catch(() => {});
            return ended;
          }
        }
      }
    } finally {
      try {
        reader.releaseLock();
      } catch {
        /* already released */
      }
    }
  }

  _frame({ event, data, id }) {
    // The token was revoked: the hub ended the stream. Reconnecting at once meets the 401,
    // which api() announces and which stops the stream.
    if (event === "revoked") return "revoked";
    if (event === "shutdown") {
      const info = parseJson(data);
      const resume = info && Number(info.resume_after);
      if (Number.isFinite(resume) && resume >= 0) this.cursor = Math.max(this.cursor, resume);
      return "shutdown";
    }
    if (event !== "release" && event !== "message") return null;
    const entry = parseJson(data);
    if (!entry) return null;
    const cursor = Number(entry.cursor ?? id);
    if (Number.isFinite(cursor)) {
      if (cursor <= this.cursor) return null; // already seen (a resumed stream may repeat)
      this.cursor = cursor;
    }
    try {
      this.onRelease(entry);
    } catch (err) {
      // A release the page cannot draw must not stop the stream; report it once, quietly.
      console.info("liaison: could not apply release", cursor, err && err.message);
    }
    return null;
  }
}

/** An incremental SSE parser (WHATWG "event stream interpretation"). */
export class SseParser {
  constructor() {
    this.buffer = "";
    this.reset();
  }

  reset() {
    this.event = "";
    this.data = [];
    this.id = null;
  }

  /** Feed text; returns the frames it completed: [{event, data, id}]. */
  push(text) {
    this.buffer += text;
    const frames = [];
    let start = 0;
    for (;;) {
      const match = /\r\n|\r|\n/g;
      match.lastIndex = start;
      const found = match.exec(this.buffer);
      if (!found) break;
      // A lone "\r" at the end might be half of "\r\n": wait for the next chunk.
      if (found[0] === "\r" && found.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(start, found.index);
      start = found.index + found[0].length;
      const frame = this._line(line);
      if (frame) frames.push(frame);
    }
    this.buffer = this.buffer.slice(start);
    return frames;
  }

  _line(line) {
    if (line === "") {
      if (!this.data.length) {
        this.event = "";
        return null;
      }
      const frame = { event: this.event || "message", data: this.data.join("\n"), id: this.id };
      this.event = "";
      this.data = [];
      return frame;
    }
    if (line.startsWith(":")) return null; // comment (keep-alive)
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id") this.id = value;
    // "retry" is ignored: the page uses its own backoff.
    return null;
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

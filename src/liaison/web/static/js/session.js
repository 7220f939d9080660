// One partner's live picture: load /api/v1/picture (vessels, events, and the newest reports and
// indicators), then follow /api/v1/stream from its cursor, applying each release (positions are
// fetched per batch and merged; events are added; other kinds become timeline reports).
// Stopping aborts everything in flight, so a "see as" switch never mixes two partners' data.

import { ApiError, api, describeError } from "./api.js";
import { LiveStream } from "./stream.js";
import { addEvent, addReport, eventFromEntry, mergeVessel } from "./store.js";

const PARALLEL_FETCHES = 4;
const BACKLOG_RELOAD = 200; // more batches waiting than this: reload the picture instead

export class Session {
  /**
   * state: the store; partner: whose picture (null: the caller's own); asOperator: pass
   * ?partner= on every call; onChange(): data changed; onConnection(state, text); onError(text|null).
   */
  constructor({ state, partner, asOperator, onChange, onConnection, onError, onLoaded }) {
    this.state = state;
    this.partner = partner;
    this.query = asOperator && partner ? { partner } : {};
    this.onChange = onChange;
    this.onConnection = onConnection;
    this.onError = onError;
    this.onLoaded = onLoaded || (() => {});
    this.controller = new AbortController();
    this.stream = null;
    this.queue = [];
    this.queued = new Set();
    this.active = 0;
    this.stopped = false;
    this.reloading = false;
  }

  get signal() {
    return this.controller.signal;
  }

  async start() {
    let delay = 1000;
    while (!this.stopped) {
      this.onConnection("connecting", "Loading picture…");
      try {
        await this._loadPicture();
        this.onError(null);
        break;
      } catch (err) {
        if (this.stopped || (err && err.name === "AbortError")) return;
        if (err instanceof ApiError && err.status === 401) return; // the page signs out
        this.onError(`Could not load the picture: ${describeError(err)}`);
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
          this.onConnection("offline", "Picture refused");
          return;
        }
        this.onConnection("offline", `Offline — retrying in ${Math.round(delay / 1000)} s`);
        await sleep(delay);
        delay = Math.min(delay * 2, 10000);
      }
    }
    if (this.stopped) return;
    this.onLoaded();
    this.stream = new LiveStream({
      after: this.state.cursor,
      query: this.query,
      onRelease: (entry) => this._release(entry),
      onState: (s, info) => this._streamState(s, info),
      onUnauthorized: () => {}, // api() already announced the 401
    });
    this.stream.start();
  }

  stop() {
    this.stopped = true;
    this.controller.abort();
    if (this.stream) this.stream.stop();
    this.queue = [];
    this.queued.clear();
  }

  async _loadPicture() {
    const picture = await api("/api/v1/picture", { query: this.query, signal: this.signal });
    if (this.stopped) return;
    this._applyPicture(picture);
  }

  _applyPicture(picture) {
    for (const vessel of picture.vessels || []) mergeVessel(this.state, vessel);
    for (const event of picture.events || []) addEvent(this.state, event);
    // The partner's newest reports and indicators, each a release as the stream carries it:
    // listed in the timeline like those arriving live (it orders everything by time).
    for (const entry of picture.reports || []) this._addEntry(entry);
    const cursor = Number(picture.cursor);
    if (Number.isFinite(cursor) && cursor > this.state.cursor) this.state.cursor = cursor;
    if (picture.partner) this.state.partner = picture.partner;
    this.onChange();
  }

  _streamState(s, info) {
    if (this.stopped) return;
    if (s === "live") this.onConnection("live", "Live");
    else if (s === "connecting") this.onConnection("connecting", "Connecting…");
    else {
      const why = info && info.reason === "shutdown" ? "hub restarting" : "connection lost";
      this.onConnection("offline", `Offline (${why}) — retrying in ${Math.round((info.retryMs || 1000) / 1000)} s`);
    }
  }

  _release(entry) {
    if (this.stopped || !entry || !entry.item) return;
    const cursor = Number(entry.cursor);
    if (Number.isFinite(cursor) && cursor > this.state.cursor) this.state.cursor = cursor;
    const kind = entry.item.kind;
    if (kind === "position") {
      this._queuePositions(entry.item.id);
      return;
    }
    this._addEntry(entry);
    this.onChange();
  }

  /** A release other than positions: an event on the map, anything else a timeline report. */
  _addEntry(entry) {
    if (!entry || !entry.item) return;
    if (entry.item.kind === "event") {
      const event = eventFromEntry(entry);
      if (Number.isFinite(event.lat) && Number.isFinite(event.lon)) addEvent(this.state, event);
      else addReport(this.state, entry); // an event the partner may not locate: still listed
    } else {
      addReport(this.state, entry);
    }
  }

  _queuePositions(id) {
    if (!id || this.queued.has(id)) return;
    if (this.queue.length >= BACKLOG_RELOAD) {
      this._reload();
      return;
    }
    this.queue.push(id);
    this.queued.add(id);
    this._pump();
  }

  _pump() {
    while (!this.stopped && !this.reloading && this.active < PARALLEL_FETCHES && this.queue.length) {
      const id = this.queue.shift();
      this.active += 1;
      this._fetchPositions(id).finally(() => {
        this.active -= 1;
        this.queued.delete(id);
        this._pump();
      });
    }
  }

  async _fetchPositions(id) {
    try {
      const batch = await api(`/api/v1/items/${encodeURIComponent(id)}/positions`, {
        query: this.query,
        signal: this.signal,
      });
      if (this.stopped) return;
      for (const vessel of batch.vessels || []) mergeVessel(this.state, vessel);
      this.onChange();
    } catch (err) {
      // A batch withdrawn or unreachable is skipped: the next batch moves the vessel anyway.
      if (this.stopped || (err && err.name === "AbortError")) return;
    }
  }

  /** Far behind (a burst, or a long reconnect): one picture instead of hundreds of batches. */
  async _reload() {
    if (this.reloading) return;
    this.reloading = true;
    this.queue = [];
    this.queued.clear();
    try {
      const picture = await api("/api/v1/picture", { query: this.query, signal: this.signal });
      if (!this.stopped) {
        // Keep the live cursor: the stream continues from where it is.
        const cursor = this.state.cursor;
        this._applyPicture({ ...picture, cursor: Math.min(Number(picture.cursor) || cursor, cursor) });
      }
    } catch {
      /* the next release tries again */
    } finally {
      this.reloading = false;
      this._pump();
    }
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// What the events stream says, kept for every view: projects, each model's state, in-flight counts and
// the newest requests. Views re-render when it changes.
import { useEffect, useState } from "preact/hooks";
import { followEvents } from "./api.js";

const MAX_REQUESTS = 500;
const state = { connection: "connecting", projects: [], models: new Map(), inflight: new Map(), requests: [], version: 0 };
const listeners = new Set();

function changed() {
  state.version++;
  for (const listener of listeners) listener(state.version);
}

const modelKey = (m) => `${m.project}/${m.name}`;

function onEvent(event, data) {
  if (event === "snapshot") {
    state.projects = data.projects;
    state.models = new Map(data.models.map((m) => [modelKey(m), m]));
  } else if (event === "model") {
    state.models.set(modelKey(data), data);
  } else if (event === "inflight") {
    state.inflight.set(data.project, data.in_flight);
  } else if (event === "request") {
    state.requests = [data, ...state.requests.filter((r) => r.id !== data.id)].slice(0, MAX_REQUESTS);
  } else if (event === "config") {
    state.projects = state.projects.map((p) => (p.id === data.project ? { ...p, reload: data.reload } : p));
  }
  changed();
}

let controller;

export function startEvents() {
  controller?.abort();
  controller = new AbortController();
  void followEvents(onEvent, (connection) => {
    state.connection = connection;
    changed();
  }, controller.signal);
}

/** Requests read from `GET /v1/requests` before the stream started: merged under the live ones. */
export function addRequests(list) {
  const seen = new Set(state.requests.map((r) => r.id));
  state.requests = [...state.requests, ...list.filter((r) => !seen.has(r.id))].sort((a, b) => b.at.localeCompare(a.at)).slice(0, MAX_REQUESTS);
  changed();
}

export function useStore() {
  const [seen, setVersion] = useState(state.version);
  useEffect(() => {
    listeners.add(setVersion);
    // What changed between this render and the subscription would otherwise go unseen.
    if (state.version !== seen) setVersion(state.version);
    return () => listeners.delete(setVersion);
  }, []);
  return state;
}

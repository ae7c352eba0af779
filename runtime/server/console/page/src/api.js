// Every call the console makes: the key the user typed (kept for this tab only) goes with each one,
// the events stream included, which is read with fetch so that it can carry the header too.
const KEY = "lf.console.key";

export class KeyRefused extends Error {
  constructor(message) {
    super(message);
    this.name = "KeyRefused";
  }
}

export function storedKey() {
  return sessionStorage.getItem(KEY) ?? "";
}

export function setKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

function headers(extra = {}) {
  const key = storedKey();
  return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
}

async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    message = body?.error?.message ?? message;
  } catch {
    // not JSON
  }
  if (response.status === 401) return new KeyRefused(message);
  return new Error(message);
}

export async function getJson(path) {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw await failure(response);
  return response.json();
}

export async function postJson(path, body) {
  const response = await fetch(path, { method: "POST", headers: headers({ "content-type": "application/json" }), body: JSON.stringify(body) });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** Server-sent events of `response`, one `{ event, data }` at a time. */
async function* readEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length > 0) yield { event, data: data.join("\n") };
    }
  }
}

/** Follows `GET /v1/events`, reconnecting after a drop, until `signal` aborts. */
export async function followEvents(onEvent, onState, signal) {
  while (!signal.aborted) {
    try {
      const response = await fetch("/v1/events", { headers: headers(), signal });
      if (!response.ok) throw await failure(response);
      onState("live");
      for await (const { event, data } of readEvents(response)) onEvent(event, JSON.parse(data));
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof KeyRefused) return onState("refused");
    }
    onState("reconnecting");
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** Streams a chat completion: `onDelta` gets each chunk's delta; resolves with the answering model. */
export async function streamChat(project, body, onDelta, signal) {
  const response = await fetch(`/v1/projects/${project}/chat/completions`, {
    method: "POST",
    headers: headers({ "content-type": "application/json" }),
    body: JSON.stringify({ ...body, stream: true }),
    signal,
  });
  if (!response.ok) throw await failure(response);
  const answered = { model: response.headers.get("x-lf-model"), attempts: response.headers.get("x-lf-attempts") };
  for await (const { data } of readEvents(response)) {
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data);
    if (chunk.error) throw new Error(chunk.error.message);
    const delta = chunk.choices?.[0]?.delta;
    if (delta) onDelta(delta);
  }
  return answered;
}

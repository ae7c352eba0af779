import { useEffect, useState } from "preact/hooks";
import { getJson, postJson } from "../api.js";
import { dollars, html, ms, when } from "../html.js";
import { addRequests, useStore } from "../store.js";
import { RouteExplanation } from "./route-explanation.js";

function attemptWhy(a) {
  if (a.outcome === "success") return "answered";
  if (a.outcome === "skipped") return `skipped: ${a.skipped ?? ""}${a.detail ? ` (${a.detail})` : ""}`;
  return `${a.code ?? a.outcome}${a.status ? ` ${a.status}` : ""}${a.detail ? `: ${a.detail}` : ""}`;
}

function Detail({ entry, onClose }) {
  const [route, setRoute] = useState({ state: "idle" });
  useEffect(() => {
    if (!entry.body) return setRoute({ state: "none" });
    setRoute({ state: "loading" });
    postJson(`/v1/projects/${entry.project}/route`, { model: entry.model, messages: entry.body.messages })
      .then((report) => setRoute({ state: "ok", report }))
      .catch((error) => setRoute({ state: "error", message: error.message }));
  }, [entry.id]);
  return html`<aside class="detail" data-request=${entry.id}>
    <button class="close" onClick=${onClose} aria-label="close">×</button>
    <h2>${entry.model} → ${entry.served_by ?? "no answer"}</h2>
    <p class="muted small">${entry.id} · ${entry.project} · ${entry.wire}${entry.stream ? " · stream" : ""} · ${new Date(entry.at).toLocaleString()}</p>
    <p>status <strong>${entry.status}</strong> (${entry.outcome}) · ${ms(entry.latency_ms)} · first token ${ms(entry.ttft_ms)} · ${
      entry.tokens ? `${entry.tokens.input} in / ${entry.tokens.output} out${entry.tokens.estimated ? " (estimated)" : ""}` : "no tokens"
    } · ${dollars(entry.cost)}</p>
    ${entry.error && html`<p class="error">${entry.error}</p>`}
    <h3>Attempts</h3>
    <table class="attempts">
      <thead><tr><th>#</th><th>model</th><th>outcome</th><th>time</th><th>why</th></tr></thead>
      <tbody>${entry.attempts.map(
        (a, i) => html`<tr class=${`attempt ${a.outcome}`}><td>${i + 1}</td><td>${a.model}${a.attempt > 1 ? ` (call ${a.attempt})` : ""}</td><td>${a.outcome}</td><td>${ms(a.ms)}</td><td>${attemptWhy(a)}</td></tr>`,
      )}</tbody>
    </table>
    <h3>Routing</h3>
    ${route.state === "none" && html`<p class="muted">The routing explanation is worked out from the conversation, which is kept only with <code>server.console.record_bodies: true</code>.</p>`}
    ${route.state === "error" && html`<p class="error">${route.message}</p>`}
    ${route.state === "ok" && html`<p class="muted small">How this conversation routes now (circuits and limits as they are):</p><${RouteExplanation} report=${route.report} />`}
    <h3>Tool calls</h3>
    ${entry.tool_calls.length + entry.tool_runs.length === 0 ? html`<p class="muted">none</p>` : ""}
    <ul class="tools">
      ${entry.tool_runs.map((t) => html`<li>ran <code>${t.name}</code> in ${ms(t.ms)}${t.error ? " (error)" : ""}</li>`)}
      ${entry.tool_calls.map((t) => html`<li>asked the client for <code>${t.name}</code> <code>${t.arguments}</code></li>`)}
    </ul>
    ${entry.body &&
    html`<h3>Conversation</h3>
      <div class="conversation">
        ${entry.body.messages.map((m) => html`<div class=${`message ${m.role}`}><b>${m.role}</b> ${m.content}</div>`)}
        <div class="message assistant"><b>answer</b> ${entry.body.answer}</div>
      </div>`}
  </aside>`;
}

export function Requests({ projects }) {
  const store = useStore();
  const [filter, setFilter] = useState({ project: "", model: "", status: "" });
  const [selected, setSelected] = useState(undefined);
  const [error, setError] = useState(undefined);
  useEffect(() => {
    getJson("/v1/requests?limit=200")
      .then((list) => addRequests(list.data))
      .catch((e) => setError(e.message));
  }, []);
  const shown = store.requests.filter(
    (r) =>
      (!filter.project || r.project === filter.project) &&
      (!filter.model || r.model === filter.model || r.served_by === filter.model) &&
      (!filter.status || (filter.status === "ok" ? r.outcome === "ok" : r.outcome !== "ok")),
  );
  const set = (name) => (e) => setFilter({ ...filter, [name]: e.target.value });
  const open = store.requests.find((r) => r.id === selected);
  return html`<section class="requests">
    <div class="filters">
      <select name="project" onChange=${set("project")}><option value="">every project</option>${projects.map((p) => html`<option value=${p.id}>${p.id}</option>`)}</select>
      <input name="model" placeholder="model" value=${filter.model} onInput=${set("model")} />
      <select name="status" onChange=${set("status")}><option value="">any status</option><option value="ok">ok</option><option value="error">failed</option></select>
      <span class="muted small">${shown.length} of ${store.requests.length}</span>
    </div>
    ${error && html`<p class="error">${error}</p>`}
    <table class="request-list">
      <thead><tr><th>time</th><th>project</th><th>asked</th><th>answered</th><th>attempts</th><th>status</th><th>latency</th><th>first token</th><th>tokens</th><th>cost</th></tr></thead>
      <tbody>${shown.map(
        (r) => html`<tr key=${r.id} class=${`request ${r.outcome === "ok" ? "ok" : "failed"} ${r.id === selected ? "selected" : ""}`} data-request=${r.id} onClick=${() => setSelected(r.id)}>
          <td>${when(r.at)}</td><td>${r.project}</td><td>${r.model}</td><td>${r.served_by ?? "–"}</td>
          <td>${r.attempts.map((a) => html`<span class=${`pill ${a.outcome}`} title=${attemptWhy(a)}>${a.model}</span>`)}</td>
          <td>${r.status}</td><td>${ms(r.latency_ms)}</td><td>${ms(r.ttft_ms)}</td>
          <td>${r.tokens ? r.tokens.input + r.tokens.output : "–"}</td><td>${dollars(r.cost)}</td>
        </tr>`,
      )}</tbody>
    </table>
    ${open && html`<${Detail} entry=${open} onClose=${() => setSelected(undefined)} />`}
  </section>`;
}

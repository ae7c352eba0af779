import { useEffect, useState } from "preact/hooks";
import { html, ms, when } from "../html.js";
import { useStore } from "../store.js";

const HEALTH_WORDS = { up: "up", slow: "slow", down: "down", unknown: "not called yet", router: "router" };

/** "Open, half-open in 12 s", from the time the circuit lets its probe through. */
function circuitText(model, now) {
  if (model.circuit === null) return "–";
  if (model.circuit !== "open" || !model.half_open_at) return model.circuit.replace("_", "-");
  const left = Math.max(0, Math.round((Date.parse(model.half_open_at) - now) / 1000));
  return left > 0 ? `open · half-open in ${left} s` : "half-open";
}

/** A minute's use against its limit; the store counts a minute only for a model with that limit. */
function limitText(used, limit) {
  return limit === null ? html`<span class="muted">no limit</span>` : `${used} / ${limit}`;
}

/** The last failure in plain words: what the provider said, with its status. */
function errorText(model) {
  const e = model.last_error;
  if (!e || model.health !== "down") return "";
  const status = e.status ? `HTTP ${e.status}: ` : "";
  return `${status}${e.message} (${when(e.at)})`;
}

function ModelRow({ model, now }) {
  return html`<tr class=${`model health-${model.health}`} data-model=${model.name} data-health=${model.health}>
    <td><span class="dot"></span><strong>${model.name}</strong>${model.default ? html` <span class="tag">default</span>` : ""}</td>
    <td>${model.router ? `router: ${model.router.strategy}` : model.provider ?? "–"}</td>
    <td>${model.router ? model.router.members.join(", ") : html`<code>${model.model_id ?? "–"}</code>`}</td>
    <td class="health">${HEALTH_WORDS[model.health] ?? model.health}${model.last_answer_ms !== null && model.health !== "down" ? html` <span class="muted">${ms(model.last_answer_ms)}</span>` : ""}
      ${errorText(model) && html`<div class="why">${errorText(model)}</div>`}</td>
    <td class="circuit">${circuitText(model, now)}</td>
    <td>${limitText(model.used.rpm, model.limits.rpm)}</td>
    <td>${limitText(model.used.tpm, model.limits.tpm)}</td>
    <td>${model.limits.max_concurrent === null ? model.in_flight : `${model.in_flight} / ${model.limits.max_concurrent}`}</td>
  </tr>`;
}

export function Overview() {
  const store = useStore();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const models = [...store.models.values()];
  // For the browser test's load figure: when the models first show.
  useEffect(() => {
    if (models.length > 0 && performance.getEntriesByName("lf:models-shown").length === 0) performance.mark("lf:models-shown");
  }, [models.length > 0]);
  if (store.projects.length === 0) return html`<p class="muted">Waiting for the server's events…</p>`;
  return html`<section class="overview">
    ${store.projects.map(
      (project) => html`<div class="card" data-project=${project.id}>
        <h2>${project.id} <span class="muted small">${project.file}</span></h2>
        <p class="muted small">in flight now: <strong class="inflight">${store.inflight.get(project.id) ?? 0}</strong>
          ${" · "}config ${project.reload.status} ${when(project.reload.at)}</p>
        <table class="models">
          <thead><tr><th>model</th><th>provider</th><th>model id</th><th>health</th><th>circuit</th><th>requests this minute</th><th>tokens this minute</th><th>in flight</th></tr></thead>
          <tbody>${models.filter((m) => m.project === project.id).map((m) => html`<${ModelRow} key=${m.name} model=${m} now=${now} />`)}</tbody>
        </table>
      </div>`,
    )}
  </section>`;
}

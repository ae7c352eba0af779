import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api.js";
import { html, when } from "../html.js";
import { useStore } from "../store.js";

export function Config({ projects }) {
  const store = useStore();
  const [project, setProject] = useState(projects[0]?.id ?? "");
  const [config, setConfig] = useState(undefined);
  const [error, setError] = useState(undefined);
  const reloadSeen = store.projects.find((p) => p.id === project)?.reload?.at;
  useEffect(() => {
    if (!project) return;
    getJson(`/v1/projects/${project}/config`).then(setConfig, (e) => setError(e.message));
  }, [project, reloadSeen]);
  const marked = new Set(config?.findings.map((f) => f.line) ?? []);
  return html`<section class="config">
    <div class="filters">
      <select name="project" onChange=${(e) => setProject(e.target.value)}>${projects.map((p) => html`<option value=${p.id} selected=${p.id === project}>${p.id}</option>`)}</select>
      ${config && html`<span class="muted small">${config.file}</span>`}
    </div>
    ${error && html`<p class="error">${error}</p>`}
    ${config &&
    html`<div class=${`reload ${config.reload.status}`}>
        Last reload: <strong>${config.reload.status}</strong> ${when(config.reload.at)}
        ${config.reload.status === "refused" && html`<span> — the previous config keeps serving</span><ul>${config.reload.findings.map((f) => html`<li><code>${f}</code></li>`)}</ul>`}
      </div>
      <h3>Findings</h3>
      ${config.findings.length === 0 ? html`<p class="muted">none</p>` : html`<ul class="findings">${config.findings.map((f) => html`<li class=${f.severity}><code>${f.line}:${f.column}</code> ${f.severity} ${f.path}: ${f.message}</li>`)}</ul>`}
      <h3>The file as loaded</h3>
      <pre class="file">${config.text.split("\n").map((line, i) => html`<span class=${marked.has(i + 1) ? "line marked" : "line"}><i>${i + 1}</i>${line}\n</span>`)}</pre>`}
  </section>`;
}

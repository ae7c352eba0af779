import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api.js";
import { dollars, html, ms } from "../html.js";
import { DailyChart } from "./chart.js";

const DAY_MS = 86_400_000;

function daysOf(period) {
  const count = period === "30d" ? 30 : 7;
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/** The ledger through `GET …/usage`: by day, and by model within each day (one report per day). */
async function load(project, period) {
  const base = `/v1/projects/${project}/usage`;
  const days = daysOf(period);
  const [byDay, byModel, perDay] = await Promise.all([
    getJson(`${base}?since=${days[0]}&by=day`),
    getJson(`${base}?since=${days[0]}&by=model`),
    Promise.all(days.map((d) => getJson(`${base}?since=${d}&until=${new Date(Date.parse(d) + DAY_MS).toISOString()}&by=model`))),
  ]);
  // Only the days from the first with traffic on, so a chart of a new project is not all zeros.
  const first = perDay.findIndex((r) => r.totals.calls > 0);
  const from = first === -1 ? days.length : first;
  return { days: days.slice(from), byDay, byModel, perDay: perDay.slice(from) };
}

export function Usage({ projects }) {
  const [project, setProject] = useState(projects[0]?.id ?? "");
  const [period, setPeriod] = useState("7d");
  const [data, setData] = useState(undefined);
  const [error, setError] = useState(undefined);
  useEffect(() => {
    if (!project) return;
    setError(undefined);
    load(project, period).then(setData, (e) => setError(e.message));
  }, [project, period]);

  const models = data ? data.byModel.rows.map((r) => r.key) : [];
  const perModel = (pick) => models.map((m) => ({ label: m, values: data.perDay.map((r) => pick(r.rows.find((row) => row.key === m))) }));
  const dayRow = (d) => data.byDay.rows.find((r) => r.key === d);
  return html`<section class="usage">
    <div class="filters">
      <select name="project" onChange=${(e) => setProject(e.target.value)}>${projects.map((p) => html`<option value=${p.id} selected=${p.id === project}>${p.id}</option>`)}</select>
      <select name="period" onChange=${(e) => setPeriod(e.target.value)}><option value="7d">last 7 days</option><option value="30d">last 30 days</option></select>
      ${data && html`<span class="muted small">${data.byModel.totals.calls} calls · ${dollars(data.byModel.totals.costUsd)} · ${data.byModel.totals.inputTokens + data.byModel.totals.outputTokens} tokens</span>`}
    </div>
    ${error && html`<p class="error">${error}</p>`}
    ${data && data.days.length === 0 && html`<p class="muted">No requests in this period yet.</p>`}
    ${data &&
    data.days.length > 0 &&
    html`<div class="charts">
      <${DailyChart} name="cost" title="Cost per model per day" days=${data.days} series=${perModel((r) => r?.costUsd ?? 0)} format=${(v) => `$${v.toFixed(4)}`} />
      <${DailyChart} name="tokens" title="Tokens per model per day" days=${data.days} series=${perModel((r) => (r ? r.inputTokens + r.outputTokens : 0))} />
      <${DailyChart} name="latency" title="Latency per day (p50, p95)" days=${data.days}
        series=${[{ label: "p50", values: data.days.map((d) => dayRow(d)?.p50LatencyMs ?? null) }, { label: "p95", values: data.days.map((d) => dayRow(d)?.p95LatencyMs ?? null) }]} format=${(v) => ms(v)} />
      <${DailyChart} name="fallbacks" title="Fallback rate per day" days=${data.days}
        series=${[{ label: "answered by a fallback", values: data.days.map((d) => { const r = dayRow(d); return r && r.calls > 0 ? r.fallbacks / r.calls : 0; }) }]} format=${(v) => `${Math.round(v * 100)}%`} />
    </div>
    <table class="usage-table">
      <thead><tr><th>model</th><th>calls</th><th>failures</th><th>fallbacks</th><th>p50</th><th>p95</th><th>input</th><th>output</th><th>cost</th></tr></thead>
      <tbody>${data.byModel.rows.map((r) => html`<tr><td>${r.key}</td><td>${r.calls}</td><td>${r.failures}</td><td>${r.fallbacks}</td><td>${ms(r.p50LatencyMs)}</td><td>${ms(r.p95LatencyMs)}</td><td>${r.inputTokens}</td><td>${r.outputTokens}</td><td>${dollars(r.costUsd)}</td></tr>`)}</tbody>
    </table>`}
  </section>`;
}

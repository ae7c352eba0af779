import { html } from "../html.js";

/** What POST …/route answers, as a table: each candidate's rank, score and why. */
export function RouteExplanation({ report }) {
  if (!report) return null;
  const router = report.router;
  return html`<div class="route-explanation">
    <p>Model <strong>${report.model}</strong>${router ? html` is a <strong>${router.strategy}</strong> router` : " is not a router: it answers itself"}${
      report.fallbacks.length > 0 ? html`; if it fails: ${report.fallbacks.join(" → ")}` : ""
    }.</p>
    ${router?.complexity && html`<p>Sorted as <strong>${router.complexity.tier}</strong>: ${router.complexity.signals.join(", ")}</p>`}
    ${router &&
    html`<table>
      <thead><tr><th>rank</th><th>model</th><th>score</th><th>why</th></tr></thead>
      <tbody>${router.candidates.map(
        (c) => html`<tr class=${c.chosen ? "chosen" : ""}><td>${c.rank ?? "–"}</td><td>${c.model}${c.chosen ? " ✓" : ""}</td><td>${c.score === null ? "–" : c.score.toFixed(3)}</td><td>${c.reason}</td></tr>`,
      )}</tbody>
    </table>`}
  </div>`;
}

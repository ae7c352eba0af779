import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { html } from "../html.js";

const COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];
const DAY_S = 86_400;

/**
 * A uPlot chart of daily values: `days` are UTC dates (YYYY-MM-DD), `series` each a label and one value
 * per day. Drawn into a canvas; the legend names every series.
 */
export function DailyChart({ title, days, series, format = (v) => String(v), name }) {
  const box = useRef(null);
  useEffect(() => {
    if (box.current === null || days.length === 0) return;
    const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const chart = new uPlot(
      {
        title,
        width: Math.max(320, box.current.clientWidth || 560),
        height: 220,
        scales: { x: { time: true, range: () => [xs[0] - DAY_S / 2, xs[xs.length - 1] + DAY_S / 2] } },
        series: [
          { label: "day", value: (_u, v) => (v === null ? "–" : new Date(v * 1000).toISOString().slice(0, 10)) },
          ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true, size: 7 }, value: (_u, v) => (v === null ? "–" : format(v)) })),
        ],
        axes: [{ incrs: [DAY_S, 2 * DAY_S, 7 * DAY_S], values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) }, { values: (_u, ticks) => ticks.map(format), size: 70 }],
      },
      [xs, ...series.map((s) => s.values)],
      box.current,
    );
    return () => chart.destroy();
  }, [JSON.stringify([days, series])]);
  return html`<div class="chart" data-chart=${name} ref=${box}></div>`;
}

import { h } from "preact";
import htm from "htm";

/** JSX-like templates without a compile step: html`<div class=${x}>…</div>`. */
export const html = htm.bind(h);

export function when(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleTimeString([], { hour12: false });
}

export function ms(value) {
  if (value === null || value === undefined) return "–";
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

export function dollars(value) {
  if (value === null || value === undefined) return "–";
  return value === 0 ? "$0" : value < 0.01 ? `$${value.toFixed(5)}` : `$${value.toFixed(4)}`;
}

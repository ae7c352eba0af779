import type { Writable } from "node:stream";

/** Colour only on a terminal, and never when NO_COLOR is set. */
export function useColor(stream: Writable): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true && !("NO_COLOR" in process.env);
}

const wrap = (open: number, close: number) => (text: string, stream: Writable) =>
  useColor(stream) ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export const paint = {
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

import { createHash } from "node:crypto";

/** Where a namespaced tool really lives. */
export interface ToolAddress {
  server: string;
  tool: string;
}

/** What OpenAI and Anthropic both accept as a function name. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_LENGTH = 64;
const SEPARATOR = "__";

/**
 * Gives every (server, tool) pair a provider-safe name `server__tool`. Names are never parsed back:
 * the returned map is the only way from a name to its server and tool.
 *
 * Deterministic for a given set of pairs, whatever order they come in: a pair whose plain name is
 * already valid keeps it (when two pairs spell the same, e.g. `a__b`/`c` and `a`/`b__c`, the first in
 * server-then-tool order does). Any other pair gets its plain name with invalid characters replaced by `_`
 * when that is free and short enough, and otherwise a clipped prefix plus a short hash of its real
 * server and tool, so two pairs never share a name and long names stay distinguishable.
 */
export function namespaceTools(addresses: readonly ToolAddress[]): Map<string, ToolAddress> {
  const unique = new Map<string, ToolAddress>();
  for (const address of addresses) unique.set(`${address.server}\u0000${address.tool}`, address);
  const sorted = [...unique.values()].sort(compareAddresses);
  const names = new Map<string, ToolAddress>();

  const placed = new Set<ToolAddress>();
  for (const address of sorted) {
    const name = plainName(address);
    if (TOOL_NAME_PATTERN.test(name) && !names.has(name)) {
      names.set(name, address);
      placed.add(address);
    }
  }

  for (const address of sorted) {
    if (placed.has(address)) continue;
    const sanitised = sanitise(plainName(address));
    if (sanitised.length <= MAX_LENGTH && !names.has(sanitised)) {
      names.set(sanitised, address);
      continue;
    }
    names.set(hashedName(sanitised, address, names), address);
  }
  return names;
}

function plainName(address: ToolAddress): string {
  return `${address.server}${SEPARATOR}${address.tool}`;
}

function sanitise(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, "_");
}

function hashedName(sanitised: string, address: ToolAddress, taken: ReadonlyMap<string, unknown>): string {
  for (let salt = 0; ; salt++) {
    const hash = createHash("sha256")
      .update(`${address.server}\u0000${address.tool}\u0000${salt}`)
      .digest("hex")
      .slice(0, 8);
    const name = `${sanitised.slice(0, MAX_LENGTH - hash.length - 1)}_${hash}`;
    if (!taken.has(name)) return name;
  }
}

function compareAddresses(a: ToolAddress, b: ToolAddress): number {
  if (a.server !== b.server) return a.server < b.server ? -1 : 1;
  if (a.tool !== b.tool) return a.tool < b.tool ? -1 : 1;
  return 0;
}

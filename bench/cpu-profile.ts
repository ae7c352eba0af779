import { readFile } from "node:fs/promises";

/** The parts of V8's `.cpuprofile` JSON (written by `node --cpu-prof`) that self time needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Milliseconds sampled in this function itself, callees excluded. */
  selfMs: number;
  /** Share of the busy time: idle excluded. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  /** The same self time grouped by where the code lives: a package, a runtime folder, Node's internals. */
  areas: SelfTime[];
}

export async function readCpuProfile(path: string, root: string, top = 25): Promise<ProfileSummary> {
  return summarizeProfile(JSON.parse(await readFile(path, "utf8")) as CpuProfile, root, top);
}

export function summarizeProfile(profile: CpuProfile, root: string, top = 25): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  // A sample's time is the gap to the next sample: the program sat in that frame until then.
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = frames.get(profile.samples[i]!);
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (frame === undefined) continue;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const where = shortUrl(frame.url, root);
    const name = `${frame.functionName || "(anonymous)"} ${where ? `${where}:${frame.lineNumber + 1}` : ""}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const area = areaOf(frame.functionName, where);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const rank = (map: Map<string, number>, n: number): SelfTime[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return { busyMs: busyUs / 1000, idleMs: idleUs / 1000, functions: rank(byFunction, top), areas: rank(byArea, 15) };
}

function shortUrl(url: string, root: string): string {
  const prefix = `file://${root.endsWith("/") ? root : `${root}/`}`;
  return url.startsWith(prefix) ? url.slice(prefix.length) : url;
}

/** `node_modules/pino`, `dist/runtime/routing`, `node:internal`, `(garbage collector)`, ... */
export function areaOf(functionName: string, where: string): string {
  if (where === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (where.startsWith("node:")) return where.startsWith("node:internal") ? "node:internal" : where.split("/")[0]!;
  const modules = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (modules) return `node_modules/${modules[1]}`;
  const ours = /^dist\/(runtime|cli|test)\/([^/]+)/.exec(where);
  if (ours) return ours[2]!.endsWith(".js") ? `dist/${ours[1]}/${ours[2]}` : `dist/${ours[1]}/${ours[2]}/`;
  return where;
}

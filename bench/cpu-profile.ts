import { readFile } from "node:fs/promises";

/** The parts of V8's `.cpuprofile` JSON (written by `node --cpu-prof`) that self time needs. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Milliseconds sampled. */
  selfMs: number;
  /** Share of the busy time: idle excluded. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  /** Self time: the function on top of the stack, callees excluded. */
  functions: SelfTime[];
  /** The same self time grouped by where the code lives: a package, a runtime folder, Node's internals. */
  areas: SelfTime[];
  /** Every sample charged to the innermost lf function on its stack: which of our code pays for the library and Node work. */
  lfCallers: SelfTime[];
}

type Frame = CpuProfile["nodes"][number]["callFrame"];

export async function readCpuProfile(path: string, root: string, windowUs?: [number, number], top = 25): Promise<ProfileSummary> {
  return summarizeProfile(JSON.parse(await readFile(path, "utf8")) as CpuProfile, root, windowUs, top);
}

/** `windowUs` keeps only samples in that span of the monotonic clock, dropping start-up and shut-down. */
export function summarizeProfile(profile: CpuProfile, root: string, windowUs?: [number, number], top = 25): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  const byCaller = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let idleUs = 0;
  let busyUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    // A sample's time is the gap to the next sample: the program sat in that frame until then.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    const frame = frames.get(id);
    if (frame === undefined || (windowUs && (at < windowUs[0] || at > windowUs[1]))) continue;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const where = shortUrl(frame.url, root);
    add(byFunction, nameOf(frame, where), us);
    add(byArea, areaOf(frame.functionName, where), us);
    add(byCaller, innermostLf(id, frames, parents, root) ?? `(no lf frame) ${areaOf(frame.functionName, where)}`, us);
  }
  const rank = (map: Map<string, number>, n: number): SelfTime[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return { busyMs: busyUs / 1000, idleMs: idleUs / 1000, functions: rank(byFunction, top), areas: rank(byArea, 15), lfCallers: rank(byCaller, 15) };
}

function innermostLf(id: number, frames: Map<number, Frame>, parents: Map<number, number>, root: string): string | undefined {
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const frame = frames.get(at)!;
    const where = shortUrl(frame.url, root);
    if (/^dist\/(runtime|cli)\//.test(where)) return nameOf(frame, where);
  }
  return undefined;
}

function nameOf(frame: Frame, where: string): string {
  return `${frame.functionName || "(anonymous)"} ${where ? `${where}:${frame.lineNumber + 1}` : ""}`.trim();
}

function shortUrl(url: string, root: string): string {
  const prefix = `file://${root.endsWith("/") ? root : `${root}/`}`;
  return url.startsWith(prefix) ? url.slice(prefix.length) : url;
}

/** `node_modules/pino`, `dist/runtime/routing/`, `node:internal/webstreams`, `(garbage collector)`, ... */
export function areaOf(functionName: string, where: string): string {
  if (where === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (where.startsWith("node:")) {
    const internal = /^node:internal\/(deps\/)?([^/:]+)/.exec(where);
    return internal ? `node:internal/${internal[1] ?? ""}${internal[2]}` : where;
  }
  const modules = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (modules) return `node_modules/${modules[1]}`;
  const ours = /^dist\/(runtime|cli|test)\/([^/]+)/.exec(where);
  if (ours) return ours[2]!.endsWith(".js") ? `dist/${ours[1]}/${ours[2]}` : `dist/${ours[1]}/${ours[2]}/`;
  return where;
}

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ArrivalFake } from "./arrival-fake.js";
import { hrtimeMs } from "./arrival-fake.js";
import type { ChildProcesses } from "./child-processes.js";
import { summarize, type Summary } from "./stats.js";

export interface CliCommand {
  label: string;
  args: string[];
}

/** Milliseconds from spawn to exit of `node <args>`, `runs` times in a row. */
export async function timeToExit(children: ChildProcesses, command: CliCommand, runs: number, env: NodeJS.ProcessEnv): Promise<Summary> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = hrtimeMs();
    const child = children.start(command.label, process.execPath, command.args, { env });
    const code = await withTimeout(child.exited, 30_000, `${command.label} did not exit`);
    if (code !== 0) throw new Error(`${command.label} exited with ${code}:\n${child.output()}`);
    times.push(hrtimeMs() - started);
  }
  return summarize(times);
}

/** Milliseconds from spawning `lf chat` to its request reaching the upstream: start-up, config, adapters, the connect. */
export async function timeToUpstream(children: ChildProcesses, command: CliCommand, arrival: ArrivalFake, runs: number, env: NodeJS.ProcessEnv): Promise<Summary> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const arrived = arrival.nextArrival(30_000);
    const started = hrtimeMs();
    const child = children.start(command.label, process.execPath, command.args, { env });
    const failed = child.exited.then((code) => {
      throw new Error(`${command.label} exited (${code}) before its request reached the upstream:\n${child.output()}`);
    });
    const at = await Promise.race([arrived, failed]);
    failed.catch(() => undefined);
    times.push(at - started);
    const code = await withTimeout(child.exited, 30_000, `${command.label} did not exit`);
    if (code !== 0) throw new Error(`${command.label} exited with ${code}:\n${child.output()}`);
  }
  return summarize(times);
}

export interface HyperfineRun {
  /** hyperfine's own summary, as it prints it. */
  text: string;
  /** Median and mean per command label, in milliseconds. */
  results: { label: string; medianMs: number; meanMs: number; stddevMs: number }[];
}

/** undefined when hyperfine is not installed. */
export async function hyperfine(commands: CliCommand[], runs: number, env: NodeJS.ProcessEnv): Promise<HyperfineRun | undefined> {
  if (!(await hasHyperfine())) return undefined;
  const dir = await mkdtemp(join(tmpdir(), "lf-bench-hyperfine-"));
  try {
    const json = join(dir, "hyperfine.json");
    const args = ["--shell=none", "--style", "basic", "--warmup", "2", "--runs", String(runs), "--export-json", json];
    for (const command of commands) args.push("--command-name", command.label, [process.execPath, ...command.args].map(quote).join(" "));
    const text = await run("hyperfine", args, env, 300_000);
    const parsed = JSON.parse(await readFile(json, "utf8")) as { results: { command: string; median: number; mean: number; stddev: number }[] };
    return {
      text,
      results: parsed.results.map((r) => ({ label: r.command, medianMs: r.median * 1000, meanMs: r.mean * 1000, stddevMs: r.stddev * 1000 })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function hasHyperfine(): Promise<boolean> {
  try {
    await run("hyperfine", ["--version"], process.env, 5000);
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: timeoutMs, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function quote(word: string): string {
  return /^[\w./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}


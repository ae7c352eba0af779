import { readFileSync } from "node:fs";

/** Resident memory of a process in MB, from `/proc/<pid>/status` (Linux); undefined once it is gone. */
export function readRssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's resident memory on a timer and keeps the peak and the last value. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peakMb = 0;
  lastMb = 0;
  samples = 0;

  constructor(private readonly pid: number, private readonly everyMs = 100) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    // The sampler must never keep the benchmark alive on its own.
    this.timer.unref();
    return this;
  }

  sample(): number | undefined {
    const mb = readRssMb(this.pid);
    if (mb !== undefined) {
      this.samples++;
      this.lastMb = mb;
      if (mb > this.peakMb) this.peakMb = mb;
    }
    return mb;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

import { measureStream } from "./chunk-delay.js";
import { chatBody } from "./load-point.js";
import type { ChunkRow, TargetName } from "./results.js";
import { summarize } from "./stats.js";

/** `streams` stamped streams one after another, so a chunk's delay is forwarding, not queueing. */
export async function runChunkStreams(target: TargetName, url: string, model: string, streams: number, expectChunks: number): Promise<ChunkRow> {
  const delays: number[] = [];
  const firstChunk: number[] = [];
  const firstDelay: number[] = [];
  const body = chatBody(model, true);
  // One unmeasured stream opens the connections and warms the code paths.
  await measureStream(url, body);
  for (let i = 0; i < streams; i++) {
    const timing = await measureStream(url, body);
    if (timing.status !== 200) throw new Error(`${target}: stream answered ${timing.status}`);
    if (timing.ages.length < expectChunks) throw new Error(`${target}: ${timing.ages.length} stamped chunks arrived, ${expectChunks} were sent`);
    delays.push(...timing.ages);
    firstChunk.push(timing.firstChunkMs);
    firstDelay.push(timing.ages[0]!);
  }
  return { target, delay: summarize(delays), firstChunk: summarize(firstChunk), firstDelay: summarize(firstDelay) };
}

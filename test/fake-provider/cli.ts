/**
 * The fake provider as a process, for the benchmark:
 *   node dist/test/fake-provider/cli.js --port 9000 [--host 127.0.0.1] [--text "..."] [--chunks N]
 *     [--chunk-delay-ms N] [--delay-ms N] [--stamp hrtime|epoch] [--record N]
 * Prints `listening <url>` on stdout once ready; SIGINT or SIGTERM closes it.
 */
import { parseArgs } from "node:util";
import { DEFAULT_TEXT } from "./reply-plan.js";
import { startFakeProvider } from "./server.js";
import type { StampClock } from "./stamp.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9000" },
    host: { type: "string", default: "127.0.0.1" },
    text: { type: "string", default: DEFAULT_TEXT },
    chunks: { type: "string" },
    "chunk-delay-ms": { type: "string", default: "0" },
    "delay-ms": { type: "string", default: "0" },
    stamp: { type: "string" },
    record: { type: "string", default: "0" },
  },
  strict: true,
});

const chunks = values.chunks === undefined ? undefined : count("chunks", values.chunks);
let text = values.text;
// Exactly N chunks even when the text is shorter than N characters.
while (chunks !== undefined && text.length < chunks) text += ` ${values.text}`;
if (values.stamp !== undefined && values.stamp !== "hrtime" && values.stamp !== "epoch") fail(`--stamp must be hrtime or epoch, not ${values.stamp}`);

const fake = await startFakeProvider({
  port: count("port", values.port),
  host: values.host,
  defaultReply: { text, chunks, chunkDelayMs: count("chunk-delay-ms", values["chunk-delay-ms"]), delayMs: count("delay-ms", values["delay-ms"]) },
  stamp: values.stamp as StampClock | undefined,
  maxRecorded: count("record", values.record),
});
process.stdout.write(`listening ${fake.url}\n`);

const stop = () => {
  fake.close().then(() => process.exit(0), () => process.exit(1));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

function count(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number, not ${value}`);
  return n;
}

function fail(message: string): never {
  process.stderr.write(`fake-provider: ${message}\n`);
  process.exit(2);
}

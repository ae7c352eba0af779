/**
 * A trace collector that keeps nothing, as its own process so its CPU is not the load generator's:
 *   node dist/bench/otlp-sink-cli.js [--port N]
 * Answers every OTLP/HTTP export with 200 and counts the spans; `GET /count` says how many. Prints
 * `listening <url>` once ready.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" } }, strict: true });
let exports = 0;
let spans = 0;
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/count") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ exports, spans }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    exports++;
    // Each span has exactly one spanId key; counting them avoids parsing the export.
    spans += Buffer.concat(chunks).toString("utf8").split('"spanId"').length - 1;
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

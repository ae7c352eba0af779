/**
 * The floor proxy as its own process, so it has a core to itself like `lf serve` does:
 *   node dist/bench/floor-proxy-cli.js --upstream http://127.0.0.1:9000 [--port N]
 * Prints `listening <url>` once ready.
 */
import { parseArgs } from "node:util";
import { startFloorProxy } from "./floor-proxy.js";

const { values } = parseArgs({ options: { upstream: { type: "string" }, port: { type: "string", default: "0" } }, strict: true });
if (values.upstream === undefined) {
  process.stderr.write("floor-proxy: --upstream is required\n");
  process.exit(2);
}
const proxy = await startFloorProxy(values.upstream, Number(values.port));
process.stdout.write(`listening ${proxy.url}\n`);
const stop = () => {
  proxy.close().then(() => process.exit(0), () => process.exit(1));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

/**
 * Writes usage rows to a ledger, says so after each, then waits to be killed: a process that dies
 * without closing anything.
 *
 * Usage: node --import ./test/helpers/register-ts-loader.mjs test/usage/child/write-usage.ts <db> <count> [insert|append]
 * (`append`, the server's path: journalled at once, committed within 100 ms).
 */
import { UsageLedger } from "../../../runtime/usage/index.js";
import { record } from "../support/project.js";

const [file, count, how = "insert"] = process.argv.slice(2);
const ledger = UsageLedger.open(file!);
for (let i = 0; i < Number(count); i++) {
  const row = record({ at: 1_700_000_000_000 + i, latencyMs: 100 + i, sessionId: "killed" });
  // As the server does: the answer a row describes completes once the row is journalled.
  if (how === "append") await ledger.append(row);
  else ledger.insert(row);
  process.stdout.write(`written ${i + 1}\n`);
}
setInterval(() => undefined, 1000);

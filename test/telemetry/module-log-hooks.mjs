// Module hooks: appends each resolved @opentelemetry URL to the file named by LF_TEST_MODULE_LOG.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const log = process.env.LF_TEST_MODULE_LOG;
  if (log && result.url.includes("@opentelemetry")) appendFileSync(log, `${result.url}\n`);
  return result;
}

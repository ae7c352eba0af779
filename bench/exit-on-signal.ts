/**
 * Preloaded (`node --import`) into a profiled `lf serve`: V8 writes `--cpu-prof` output only on a normal
 * exit, so a SIGTERM must end in `process.exit` even if lf installs no handler of its own. lf's own
 * graceful close, if it has one, gets a moment first.
 */
process.on("SIGTERM", () => {
  setTimeout(() => process.exit(0), 2000);
});

import { relative } from "node:path";
import type { Reporter, SerializedError, TestModule } from "vitest/node";

/**
 * Ends the run with one plain line, `N passed, N failed, N skipped`, that any CI log reader understands
 * (vitest's own summary is coloured and spread over several lines).
 *
 * A failure outside a test (a `beforeAll` that throws, a file that fails to import, an error nobody
 * caught) counts as failed, and the line names it: otherwise a run whose Redis tests never started
 * would end "0 failed" with their tests counted as skipped. Tests that never ran because of such a
 * failure are "not run", not "skipped": skipped means `it.skip` or `it.todo`.
 */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let notRun = 0;
    const outside = new Map<string, Set<string>>();
    const note = (message: string, where: string) => {
      const places = outside.get(message) ?? new Set<string>();
      places.add(where);
      outside.set(message, places);
    };
    for (const module of testModules) {
      const file = module.relativeModuleId || relative(process.cwd(), module.moduleId);
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else if (test.options.mode === "skip" || test.options.mode === "todo") skipped++;
        else notRun++;
      }
      const errors = [...module.errors(), ...[...module.children.allSuites()].flatMap((suite) => suite.errors())];
      for (const error of errors) {
        failed++;
        note(firstLine(error), file);
      }
      // A module can fail with no error of its own to show (a worker that died, say): it still counts.
      if (errors.length === 0 && module.state() === "failed" && [...module.children.allTests("failed")].length === 0) {
        failed++;
        note("the file failed outside its tests", file);
      }
    }
    for (const error of unhandledErrors) {
      failed++;
      note(firstLine(error), "an unhandled error");
    }
    let line = `${passed} passed, ${failed} failed, ${skipped} skipped${notRun > 0 ? `, ${notRun} not run` : ""}`;
    if (outside.size > 0) {
      const causes = [...outside].map(([message, places]) => `${message} (${[...places].join(", ")})`);
      line += `; failed outside a test: ${causes.join("; ")}`;
    }
    process.stdout.write(`\n${line}\n`);
  }
}

function firstLine(error: SerializedError): string {
  const text = `${error.name && error.name !== "Error" ? `${error.name}: ` : ""}${error.message ?? String(error)}`;
  return text.split("\n", 1)[0]!.trim();
}

import { existsSync } from "node:fs";
import { LfError } from "../../runtime/index.js";
import {
  UsageLedger,
  emptyUsageReport,
  formatUsageReport,
  parseUsageQuery,
  usageLedgerPath,
  usageReport,
  type UsageReport,
} from "../../runtime/usage/index.js";
import { exitCodes } from "../exit-codes.js";
import { CliExit, loadProjectOrExit } from "../load-runtime.js";

export interface UsageOptions {
  project?: string;
  since?: string;
  by?: string;
  compare?: string;
  json?: boolean;
}

/** Reads the project's ledger; never creates one (a project that served nothing has an empty report). */
export async function usageCommand(options: UsageOptions): Promise<number> {
  try {
    const project = loadProjectOrExit(options.project);
    const query = { ...parseUsageQuery(options, Date.now()), project: `${project.namespace}/${project.name}` };
    const file = usageLedgerPath(project.dir);
    let report: UsageReport;
    if (!existsSync(file)) report = emptyUsageReport(query);
    else {
      const ledger = UsageLedger.open(file);
      try {
        report = usageReport(ledger, query);
      } finally {
        ledger.close();
      }
    }
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatUsageReport(report));
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    if (error instanceof LfError && error.code === "invalid_request") {
      console.error(`error: ${error.message}`);
      return exitCodes.usage;
    }
    throw error;
  }
}

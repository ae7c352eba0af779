import { LfError } from "../../runtime/index.js";
import {
  UsageDatabaseUnavailable,
  emptyUsageReport,
  formatUsageReport,
  openUsageReader,
  parseUsageQuery,
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

/**
 * Reads the project's ledger, PostgreSQL's when `usage.database_url` is set; never creates a local one
 * (a project that served nothing has an empty report).
 */
export async function usageCommand(options: UsageOptions): Promise<number> {
  try {
    const project = loadProjectOrExit(options.project);
    const query = { ...parseUsageQuery(options, Date.now()), project: project.key };
    const ledger = openUsageReader(project);
    let report: UsageReport;
    if (ledger === undefined) report = emptyUsageReport(query);
    else {
      try {
        report = await usageReport(ledger, query);
      } catch (error) {
        if (!(error instanceof UsageDatabaseUnavailable)) throw error;
        const waiting = (await ledger.backlog())?.rows ?? 0;
        console.error(`error: ${error.message}${waiting > 0 ? ` ${waiting} rows of this instance wait in .lf/usage.db and are shipped when it is back.` : ""}`);
        return exitCodes.failure;
      } finally {
        await ledger.close();
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

import { renderProblem } from "../core/index.ts";
import { rollbackEndedLine } from "../core/rollback-ended.ts";
import type { DeployReport } from "../definitions/index.ts";
import { deploymentSources, type Store } from "../store/index.ts";
import { logInfoLines } from "./log-lines.ts";
import type { Logger } from "./server-options.ts";

/**
 * "is valid again (deployments a, b updated)": what a file that was broken deploys now ("deployed"
 * when the file was never valid and each is new).
 */
function validAgain(report: DeployReport, deployments: string[]): string {
  if (!deployments.length) return "is valid again";
  const changed = deployments.some((n) => !report.unchanged.includes(n));
  const created = deployments.every((n) => report.created.includes(n));
  const which = `${deployments.length === 1 ? "deployment" : "deployments"} ${deployments.join(", ")}`;
  return `is valid again (${which} ${created ? "deployed" : changed ? "updated" : "as deployed"})`;
}

/** Past this many deployments in one pass, the log says how many instead of naming each. */
const MANY = 1000;

/** Log what a deploy pass did: one line per change and per skipped file, every problem of an invalid file. */
export function logDeploy(report: DeployReport, logger: Logger, store: Store): void {
  // A large project's first start deploys thousands: past a few, one line says how many; up to
  // that, a pass's lines go out as one message.
  const each = (names: string[], say: (name: string) => string, many: string) => {
    if (names.length <= MANY) logInfoLines(logger, names.map(say));
    else logger.info(`${many} ${names.length.toLocaleString("en-US")} deployments`);
  };
  each(report.created, (name) => `deployed ${name}`, "deployed");
  each(report.updated, (name) => `redeployed ${name}`, "redeployed");
  each(report.removed, (name) => `removed ${name} from scheduling`, "removed from scheduling");
  for (const ended of report.rollbacks_ended) logger.warn(rollbackEndedLine(ended));
  for (const w of report.warnings) logger.warn(`skipped ${renderProblem(w)}`);
  for (const note of report.notes ?? []) logger.warn(renderProblem(note));
  for (const { file, deployments } of report.valid_again)
    logger.info(`${file} ${validAgain(report, deployments)}`);
  // A file that never deployed has no last good version to keep: say what it does mean.
  const held = report.invalid.length
    ? new Set(deploymentSources(store).map((d) => d.source_file))
    : new Set();
  for (const bad of report.invalid) {
    const kept = held.has(bad.file)
      ? "its deployments keep their last good version"
      : "nothing in it is deployed until it is fixed";
    logger.error(
      `${bad.file} is invalid; ${kept}:\n${bad.problems.map((p) => `  ${renderProblem(p)}`).join("\n")}`,
    );
  }
}

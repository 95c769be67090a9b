import { type DeployReport, makesNewVersion } from "../core/index.ts";
import type { DeployedHash } from "../store/index.ts";

/**
 * What a deploy would report of the valid deployments a check planned (`checked`, each with the
 * hash of the version it would make), against the project's deployments (`current`): one the
 * project lacks is created, one it has with the same hash unchanged, with another updated; one
 * it has that no valid file defines any longer is removed (unless its file is invalid now: it
 * keeps its last good version then).
 */
export function asDeployWould(
  report: DeployReport,
  checked: readonly { name: string; hash: string }[],
  current: readonly DeployedHash[],
): DeployReport {
  const now = new Map(current.map((d) => [d.name, d]));
  const out: DeployReport = {
    ...report,
    created: [],
    updated: [],
    unchanged: [],
    removed: [],
    rollbacks_ended: [],
  };
  for (const { name, hash } of checked) {
    const was = now.get(name);
    const changed =
      was !== undefined &&
      makesNewVersion({ hash: was.hash, rolledBackFrom: was.rolled_back_from }, hash);
    (was === undefined ? out.created : changed ? out.updated : out.unchanged).push(name);
    // A change while rolled back ends the rollback: its new version is numbered after the newest.
    if (was && changed && was.rolled_back_from !== null) {
      out.rollbacks_ended.push({ name, was: was.version, version: was.latest_version + 1 });
    }
  }
  const defined = new Set(checked.map((d) => d.name));
  const invalid = new Set(report.invalid.map((f) => f.file));
  out.removed = current
    .filter((d) => !defined.has(d.name) && !(d.source_file && invalid.has(d.source_file)))
    .map((d) => d.name);
  return out;
}

import type { DeployReport } from "../core/index.ts";

/** A deployment as a deploy compares it: its version's hash and the file that holds it. */
export interface DeployedHash {
  name: string;
  hash: string;
  source_file: string | null;
}

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
  const now = new Map(current.map((d) => [d.name, d.hash]));
  const out: DeployReport = { ...report, created: [], updated: [], unchanged: [], removed: [] };
  for (const { name, hash } of checked) {
    const was = now.get(name);
    (was === undefined ? out.created : was === hash ? out.unchanged : out.updated).push(name);
  }
  const defined = new Set(checked.map((d) => d.name));
  const invalid = new Set(report.invalid.map((f) => f.file));
  out.removed = current
    .filter((d) => !defined.has(d.name) && !(d.source_file && invalid.has(d.source_file)))
    .map((d) => d.name);
  return out;
}

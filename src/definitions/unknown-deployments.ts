import { closest, type DeployReport, type Problem } from "../core/index.ts";
import type { ParsedDeployment } from "./parse-definitions.ts";

/**
 * A note for each trigger that matches a deployment by a name no deployment has (`known`: the
 * names there are once the pass is done), with a guess. Not a problem: the deployment may be
 * deployed later; but a typo there makes a trigger that never fires.
 */
export function unknownDeploymentNotes(
  deployments: readonly ParsedDeployment[],
  known: ReadonlySet<string>,
): Problem[] {
  const notes: Problem[] = [];
  const seen = new Set<string>();
  for (const d of deployments) {
    for (const { name, where } of d.triggerDeployments ?? []) {
      if (known.has(name) || seen.has(`${where}\0${name}`)) continue;
      seen.add(`${where}\0${name}`);
      const guess = closest(name, [...known]);
      notes.push({
        where,
        message: `a trigger of ${d.spec.name} matches deployment ${JSON.stringify(name)}, which does not exist${guess ? ` (did you mean "${guess}"?)` : ""}; it fires once one of that name is deployed`,
      });
    }
  }
  return notes;
}

/** The report with a note of each trigger naming a deployment not among `names`, if any. */
export function withNotes(
  report: DeployReport,
  deployments: readonly ParsedDeployment[],
  names: ReadonlySet<string>,
): DeployReport {
  const notes = unknownDeploymentNotes(deployments, names);
  return notes.length ? { ...report, notes } : report;
}

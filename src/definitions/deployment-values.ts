import { modulesReferences, valueNames } from "../core/code-references.ts";
import type { DeploymentSpec, NamedValue, Problem } from "../core/index.ts";
import type { DeployedHash } from "../store/index.ts";
import { listVariables, type Store, secretNames } from "../store/index.ts";
import { sortProblems } from "./definition-positions.ts";
import type { ParsedDeployment } from "./parse-definitions.ts";

/** What a deploy knows exists: secret and variable names (read once per deploy). */
export interface KnownValues {
  secrets: Set<string>;
  variables: Set<string>;
  /**
   * The file that holds each deployment now, by name (removed ones too), when the deploy's store
   * is not the project's (a check's): a name defined twice stays with the file that holds it.
   */
  holders?: ReadonlyMap<string, string>;
  /**
   * The project's deployments not removed, with their active versions' hashes, when the deploy's
   * store is not the project's (a check's): what the check compares with.
   */
  current?: readonly DeployedHash[];
}

/** The names of the project's secrets and variables now. */
export function knownValues(store: Store): KnownValues {
  return {
    secrets: secretNames(store),
    variables: new Set(listVariables(store).map((v) => v.name)),
  };
}

/**
 * A problem for each secret or variable in `refs` that does not exist, saying how to set it, in
 * the order of the files and positions named.
 */
export function unknownValues(refs: readonly NamedValue[], known: KnownValues): Problem[] {
  const problems: Problem[] = [];
  for (const ref of refs) {
    if (known[ref.kind].has(ref.name)) continue;
    const what = ref.kind === "secrets" ? "secret" : "variable";
    const how =
      ref.kind === "secrets"
        ? `orch secrets set ${ref.name}`
        : `orch variables set ${ref.name} VALUE`;
    problems.push({
      where: ref.where,
      message: `no ${what} named ${JSON.stringify(ref.name)}; set it with ${how}`,
    });
  }
  return sortProblems(problems);
}

/**
 * A deployment's spec with the secrets and variables its runs receive (named in its definition,
 * or as literals in `getSecret("x")` / `getVariable("x")` in its flow's `modules`), and a problem
 * for each name that does not exist. The lists are left out when empty, so a spec that names
 * none hashes as it did before they existed.
 */
export function withNamedValues(
  deployment: ParsedDeployment,
  folder: string,
  modules: readonly string[],
  known: KnownValues,
  folderRel: string,
): { spec: DeploymentSpec; problems: Problem[] } {
  const { spec } = deployment;
  const refs: NamedValue[] = [...deployment.references];
  if (spec.flow) refs.push(...modulesReferences(folder, modules, folderRel));
  const forActions = deployment.actionReferences ?? [];
  const problems = unknownValues([...refs, ...forActions], known);
  const { secrets, variables } = valueNames(refs);
  // Kept apart: they are what `orch secrets rm` must not remove from under an alert, never
  // what a run receives.
  const actions = valueNames(forActions);
  return {
    spec: {
      ...spec,
      ...(secrets.length ? { secrets } : {}),
      ...(variables.length ? { variables } : {}),
      ...(actions.secrets.length ? { action_secrets: actions.secrets } : {}),
      ...(actions.variables.length ? { action_variables: actions.variables } : {}),
    },
    problems,
  };
}

/**
 * The secrets and variables a test's run receives: as a deployed run of the same code, only those
 * its flow's files name.
 */
import { existsSync } from "node:fs";
import { flowValueNames } from "../core/code-references.ts";
import { type Flow, flowFile } from "./flow.ts";
import type { RunTarget } from "./run-target.ts";

/**
 * Of the values given to testFlow, those the flow's files name (its file and the local modules
 * it imports, by the rule a deployment's run gets its values with), with the names for the
 * messages of getSecret and getVariable. When the flow's file cannot be found (a flow made in a
 * REPL), every value given.
 */
export function testRunValues(
  made: Flow<object, unknown>,
  given: { secrets?: Record<string, string>; variables?: Record<string, string> },
): Pick<RunTarget, "secrets" | "variables" | "named"> {
  const file = flowFile(made);
  if (!file || !existsSync(file))
    return { secrets: { ...given.secrets }, variables: { ...given.variables } };
  const names = flowValueNames(file);
  const only = (values: Record<string, string> = {}, keep: readonly string[]) =>
    Object.fromEntries(Object.entries(values).filter(([name]) => keep.includes(name)));
  return {
    secrets: only(given.secrets, names.secrets),
    variables: only(given.variables, names.variables),
    named: { file, ...names },
  };
}

/**
 * `getSecret()` and `getVariable()`: values kept outside the flow's code, given to its run.
 */
import { relative } from "node:path";
import { currentTarget } from "./run-target.ts";
import { runSecrets, runVariables } from "./run-values.ts";

/**
 * A secret or variable the run was not given: a configuration error, which no retry mends, so a
 * task (or subflow) that meets it fails at once instead of waiting out its retries.
 */
export class MissingValueError extends Error {
  override readonly name = "MissingValueError";
}

/** Whether `error` is one that retrying cannot mend (a missing secret or variable). */
export function isConfigurationError(error: unknown): boolean {
  return error instanceof MissingValueError;
}

/** How to give the run a value: to the test harness, or to orch; first, to name it in the code. */
function howToGive(kind: "secret" | "variable", name: string): string {
  const target = currentTarget();
  const literal = `${kind === "secret" ? "getSecret" : "getVariable"}("${name}")`;
  const named = target?.named;
  if (named && !named[`${kind}s`].includes(name)) {
    const file = relative(process.cwd(), named.file) || named.file;
    return `the flow's files do not name it, and a run receives only the ${kind}s they name (a deployed run would not get it either): name it as a literal, ${literal}, in ${file} or a module it imports`;
  }
  if (target?.harness) {
    return `pass it to testFlow as { ${kind}s: { ${JSON.stringify(name)}: "…" } }`;
  }
  const set = kind === "secret" ? `orch secrets set ${name}` : `orch variables set ${name} VALUE`;
  const definition = kind === "secret" ? ` (or {{ secrets.${name} }} in its definition)` : "";
  return `name it as a literal, ${literal}, in the flow's files${definition}, and set it with ${set}`;
}

/**
 * The value of secret `name`. A run receives the secrets its deployment names: in its
 * definition (`{{ secrets.name }}`) or here, as a literal (`getSecret("db_password")`), which
 * orch reads from the flow's files when it deploys. Whatever prints it, orch stores `****`.
 */
export function getSecret(name: string): string {
  const value = (currentTarget()?.secrets ?? runSecrets)[name];
  if (value === undefined) {
    throw new MissingValueError(
      `secret ${name} was not given to this run: ${howToGive("secret", name)}`,
    );
  }
  return value;
}

/**
 * The value of variable `name`, given to the run as secrets are (see getSecret); `fallback`
 * when it was not.
 */
export function getVariable(name: string, fallback?: string): string {
  const value = (currentTarget()?.variables ?? runVariables)[name] ?? fallback;
  if (value === undefined) {
    throw new MissingValueError(
      `variable ${name} was not given to this run: ${howToGive("variable", name)}`,
    );
  }
  return value;
}

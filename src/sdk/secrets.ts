/**
 * `getSecret()` and `getVariable()`: values kept outside the flow's code, given to its run.
 */
import { currentTarget } from "./run-target.ts";
import { runSecrets, runVariables } from "./run-values.ts";

/**
 * The value of secret `name`. A run receives the secrets its deployment names: in its
 * definition (`{{ secrets.name }}`) or here, as a literal (`getSecret("db_password")`), which
 * orch reads from the flow's files when it deploys. Whatever prints it, orch stores `****`.
 */
export function getSecret(name: string): string {
  const value = (currentTarget()?.secrets ?? runSecrets)[name];
  if (value === undefined) {
    throw new Error(
      `secret ${name} was not given to this run: name it as a literal, getSecret("${name}"), in the flow's files (or {{ secrets.${name} }} in its definition), and set it with orch secrets set ${name}`,
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
    throw new Error(
      `variable ${name} was not given to this run: name it as a literal, getVariable("${name}"), in the flow's files, and set it with orch variables set ${name} VALUE`,
    );
  }
  return value;
}

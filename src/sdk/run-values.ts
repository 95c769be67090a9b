/**
 * The secrets and variables a run received, read once from the environment and taken out of
 * it (ORCH_SECRETS and ORCH_VARIABLES), so processes the flow starts do not inherit them.
 */
// The mask module itself, not core's index: the flow-run entry stays free of the wire schemas.
import { createMasker, type Masker } from "../core/mask.ts";

function take(name: string): Record<string, string> {
  const text = process.env[name];
  delete process.env[name];
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return {};
  }
}

/** The run's secrets, by name. */
export const runSecrets = take("ORCH_SECRETS");
/** The run's variables, by name. */
export const runVariables = take("ORCH_VARIABLES");

let masker: Masker | null = null;

/**
 * `text` with every secret value of this run, and the API token, replaced by `****`: what the
 * SDK sends to orch (results, task errors, log lines) goes through this first.
 */
export function maskSecrets(text: string): string {
  masker ??= createMasker([...Object.values(runSecrets), process.env.ORCH_API_TOKEN]);
  return masker(text);
}

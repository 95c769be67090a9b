import {
  ENV_PLACEHOLDER,
  envPlaceholders,
  fillReferences,
  OrchError,
  type ReferenceValues,
  type RunField,
} from "../core/index.ts";
import { lookup, valueText } from "./render-command.ts";

/**
 * A deployment's env with its placeholders filled, each value in one pass (so nothing a value
 * brings in is read again): `{{ secrets.x }}` and `{{ variables.x }}` with the run's values,
 * `{{ parameters.x }}` with the parameter (text as it is, other values as JSON), and
 * `{{ run.scheduled_at }}` with the time the run is for. No shell reads an env value, so a value
 * goes in as it is, and a `{{ }}` that is not orch's (envPlaceholders) stays as written. A
 * placeholder of orch's that cannot be filled is an error naming the variable.
 */
export function renderEnv(
  env: Record<string, string>,
  parameters: Record<string, unknown>,
  run: Record<RunField, string>,
  values: ReferenceValues,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(env)) {
    if (!text.includes("{{")) {
      out[name] = text;
      continue;
    }
    const found = new Map(envPlaceholders(text).map((p) => [p.start, p]));
    out[name] = text.replace(ENV_PLACEHOLDER, (whole: string, _inner: string, start: number) => {
      const p = found.get(start);
      if (!p) return fillReferences(whole, values);
      if (p.run) return run[p.run];
      if (p.problem || !p.keys) throw new OrchError("E_BAD_INPUT", `env ${name}: ${p.problem}`);
      return valueText(lookup(p.keys, parameters, `env ${name} uses {{ ${p.path} }}`), p.keys);
    });
  }
  return out;
}

import { named } from "./command-placeholders.ts";
import type { CommandPlaceholder } from "./placeholder.ts";
import { findReferences } from "./references.ts";
import { closest } from "./suggest.ts";

/** A `{{ }}` of an env value (render-env.ts fills them by the same pattern, at the same places). */
export const ENV_PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** What a placeholder of an env value may name. */
const ROOTS = ["parameters", "run", "secrets", "variables"];
/** Short or singular forms of ROOTS people write: `{{ params.day }}` meant `{{ parameters.day }}`. */
const ALIASES: Record<string, string> = {
  param: "parameters",
  params: "parameters",
  parameter: "parameters",
  secret: "secrets",
  var: "variables",
  vars: "variables",
  variable: "variables",
};
/** What orch's placeholders name anywhere (a trigger's `{{ event.x }}` too): a `{{ }}` of env that names one is orch's. */
const ORCH_ROOTS = [...ROOTS, "event", ...Object.keys(ALIASES)];

/**
 * The `{{ }}` of an env value (a text no shell reads) other than its `{{ secrets.x }}` and
 * `{{ variables.x }}`: each a parameter (`{{ parameters.day }}`) or the run's time
 * (`{{ run.scheduled_at }}`), filled as a command argument's are, or a problem that says what
 * an env value takes. Only those that name what orch fills, or nearly (`{{ secret.x }}`), are
 * orch's: any other `{{ }}` is the program's own text (a Go or Jinja template such as
 * `{{.Names}}`) and reaches it as written.
 */
export function envPlaceholders(text: string): CommandPlaceholder[] {
  const found: CommandPlaceholder[] = [];
  for (const match of text.matchAll(ENV_PLACEHOLDER)) {
    if (findReferences(match[0]).length) continue;
    const root = match[1]!.trim().split(".")[0]!.trim();
    if (!root || (!ORCH_ROOTS.includes(root) && !closest(root, ORCH_ROOTS))) continue;
    const placeholder = named(0, match.index, match[0].length, match[1]!, "argv");
    if (placeholder.problem) {
      const [root = "", ...rest] = placeholder.path.split(".");
      const guess = rest.length ? (ALIASES[root] ?? closest(root, ROOTS)) : undefined;
      placeholder.problem = `{{ ${placeholder.path} }} cannot be filled: only {{ parameters.NAME }}, {{ run.scheduled_at }}, {{ secrets.NAME }} and {{ variables.NAME }} can${guess && guess !== root ? ` (did you mean {{ ${[guess, ...rest].join(".")} }}?)` : ""}`;
    }
    found.push(placeholder);
  }
  return found;
}

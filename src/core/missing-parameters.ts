import { commandPlaceholders } from "./command-placeholders.ts";
import { envPlaceholders } from "./env-placeholders.ts";
import type { Problem } from "./errors.ts";
import type { CommandPlaceholder } from "./placeholder.ts";

/** The value at `keys` of a run's parameters (`["db", "host"]` for `db.host`), or undefined. */
export function parameterAt(keys: readonly string[], parameters: Record<string, unknown>): unknown {
  let value: unknown = parameters;
  for (const key of keys) {
    value =
      value !== null && typeof value === "object" && Object.hasOwn(value, key)
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value;
}

/** What to say of a placeholder whose parameter a run lacks (the same words when it starts). */
export function missingParameterMessage(where: string, keys: readonly string[]): string {
  const name = keys.join(".");
  return `${where}, but the run has no parameter ${name}; pass it with -p ${name}=VALUE or give it a default in the definition`;
}

/**
 * The `{{ parameters.x }}` of a deployment's command and env that a run's parameters (its
 * defaults, merged with what the trigger gave) leave without a value: each a problem (where:
 * `parameters.x`), see missingParametersMessage. A run is
 * refused when it is made (the API's 400, the CLI's exit 2), not FAILED when it starts. A
 * definition without placeholders costs a scan for `{{`.
 */
export function missingParameters(
  spec: { command?: readonly string[] | null; env?: Record<string, string> | null },
  parameters: Record<string, unknown>,
): Problem[] {
  const problems: Problem[] = [];
  const check = (placeholders: CommandPlaceholder[], where: (p: CommandPlaceholder) => string) => {
    for (const p of placeholders) {
      if (p.run || p.problem || !p.keys || parameterAt(p.keys, parameters) !== undefined) continue;
      problems.push({
        where: `parameters.${p.keys.join(".")}`,
        message: `${where(p)}, with no value`,
      });
    }
  };
  const command = spec.command ?? [];
  if (command.some((arg) => arg.includes("{{"))) {
    check(commandPlaceholders(command), (p) => `command argument ${p.arg} uses {{ ${p.path} }}`);
  }
  for (const [name, text] of Object.entries(spec.env ?? {})) {
    if (text.includes("{{"))
      check(envPlaceholders(text), (p) => `env ${name} uses {{ ${p.path} }}`);
  }
  return problems;
}

/** What to say of a run refused for missingParameters' problems (`name`: its deployment). */
export function missingParametersMessage(name: string, missing: readonly Problem[]): string {
  const keys = [...new Set(missing.map((m) => m.where!.slice("parameters.".length)))];
  const them = keys.length === 1 ? "it" : "them";
  return `a run of ${name} needs parameter${keys.length === 1 ? "" : "s"} ${keys.join(", ")} (its definition uses ${them}): pass ${keys.map((k) => `-p ${k}=VALUE`).join(" ")} or give ${them} a default in the definition`;
}

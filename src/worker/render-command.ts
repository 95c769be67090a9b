import {
  commandPlaceholders,
  missingParameterMessage,
  OrchError,
  type PlaceholderQuoting,
  parameterAt,
  RUN_FIELDS,
  type RunField,
} from "../core/index.ts";

/** A command ready to start: its argv and the variables that carry values into shell scripts. */
export interface RenderedCommand {
  argv: string[];
  /** `ORCH_PARAM_*` variables: those the shell scripts in argv refer to, and every top-level parameter. */
  env: Record<string, string>;
}

/** How a shell script refers to the variable `name`, by the quoting context it sits in. */
const REFERENCE: Record<Exclude<PlaceholderQuoting, "argv">, (name: string) => string> = {
  unquoted: (name) => `"\${${name}}"`,
  double: (name) => `\${${name}}`,
  heredoc: (name) => `\${${name}}`,
  single: (name) => `'"\${${name}}"'`,
  ansi: (name) => `'"\${${name}}"$'`,
};

/**
 * Fill the `{{ parameters.x }}` placeholders of a command (nested paths like
 * `parameters.db.host` too), and `{{ run.scheduled_at }}` with the time the run is for. Strings go in as they are, other values as JSON. In a plain
 * argument the value is that argument's text, whatever it holds. In a shell script (`sh -c`, or
 * a string command) the value goes in an environment variable, `ORCH_PARAM_<path>`, and the
 * script gets a quoted reference to it, so no value is ever parsed as shell code. Every
 * top-level parameter gets its `ORCH_PARAM_<name>` as well, used in a placeholder or not. A
 * placeholder naming a missing parameter, or one that cannot be filled safely, is an error.
 */
export function renderCommand(
  argv: readonly string[],
  parameters: Record<string, unknown>,
  run: Record<RunField, string> = { scheduled_at: "" },
): RenderedCommand {
  const out = [...argv];
  const env: Record<string, string> = {};
  const names = new Map<string, string>();
  const fills = commandPlaceholders(argv).map((p) => {
    if (p.run && !p.problem) {
      // The run's own values are in its environment already (ORCH_SCHEDULED_AT): a script
      // refers to that variable, an argument gets the text.
      if (p.numeric) {
        throw new OrchError(
          "E_BAD_INPUT",
          `command argument ${p.arg}: {{ ${p.path} }} is a time, not a number, where bash evaluates arithmetic`,
        );
      }
      const text = run[p.run];
      return { p, text: p.quoting === "argv" ? text : REFERENCE[p.quoting](RUN_FIELDS[p.run]) };
    }
    if (p.problem || !p.keys) {
      throw new OrchError("E_BAD_INPUT", `command argument ${p.arg}: ${p.problem}`);
    }
    const where = `command argument ${p.arg} uses {{ ${p.path} }}`;
    const value = lookup(p.keys, parameters, where);
    if (p.numeric && (typeof value !== "number" || !Number.isFinite(value))) {
      throw new OrchError(
        "E_BAD_INPUT",
        `${where} where bash evaluates it as arithmetic, which runs code found in text; it must be a number, not ${clip(JSON.stringify(value) ?? String(value))} (declare it as an integer in parameter_schema)`,
      );
    }
    const text = valueText(value, p.keys);
    if (p.quoting === "argv") return { p, text };
    const name = envName(p.keys, names);
    env[name] = text;
    return { p, text: REFERENCE[p.quoting](name) };
  });
  // Every top-level parameter is in the environment too, placeholder or not: a script that reads
  // `$ORCH_PARAM_day` itself must not get nothing. One a placeholder already carries keeps that
  // name; a value no variable can carry (a NUL) is left out rather than failing the run.
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined || names.has(key)) continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (text.includes("\0")) continue;
    env[envName([key], names)] = text;
  }
  // Right to left, so the offsets of the placeholders still to fill stay valid.
  for (const { p, text } of fills.reverse()) {
    const arg = out[p.arg]!;
    out[p.arg] = arg.slice(0, p.start) + text + arg.slice(p.end);
  }
  return { argv: out, env };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The parameter at `keys`; an error saying how to pass it when the run has none. */
export function lookup(
  keys: string[],
  parameters: Record<string, unknown>,
  where: string,
): unknown {
  const value = parameterAt(keys, parameters);
  if (value === undefined) throw new OrchError("E_BAD_INPUT", missingParameterMessage(where, keys));
  return value;
}

/** A parameter's value as text: a string as it is, anything else as JSON; never a NUL. */
export function valueText(value: unknown, keys: string[]): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text.includes("\0")) {
    throw new OrchError(
      "E_BAD_INPUT",
      `parameter ${keys.join(".")} holds a NUL character, which no argument or environment variable can carry`,
    );
  }
  return text;
}

/**
 * The variable carrying a parameter into a shell script: `ORCH_PARAM_name`, `ORCH_PARAM_db__host`
 * for `db.host`, other characters as `_`; a second path that maps to a taken name gets a suffix.
 */
function envName(keys: string[], names: Map<string, string>): string {
  const path = keys.join(".");
  const known = names.get(path);
  if (known) return known;
  const base = `ORCH_PARAM_${keys.map((k) => k.replace(/\W/g, "_")).join("__")}`;
  const taken = new Set(names.values());
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  names.set(path, name);
  return name;
}

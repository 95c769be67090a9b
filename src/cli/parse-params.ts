import { OrchError, type Problem } from "../core/index.ts";

/** Every value of a repeatable option (`-p a=1 -p b=2`, `--param=c=3`) in raw argv order. */
export function repeated(rawArgs: string[], names: string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    for (const name of names) {
      const flag = name.length === 1 ? `-${name}` : `--${name}`;
      if (arg === flag && i + 1 < rawArgs.length) values.push(rawArgs[++i]!);
      else if (arg.startsWith(`${flag}=`)) values.push(arg.slice(flag.length + 1));
    }
  }
  return values;
}

type Schema = { type?: string | string[]; properties?: Record<string, Schema> };

/** Turn a text value into the type the schema (or, without one, the default's type) asks for. */
function coerce(key: string, text: string, schema: Schema | undefined, fallback: unknown): unknown {
  const types = [
    schema?.type ?? (fallback === undefined || fallback === null ? undefined : typeof fallback),
  ]
    .flat()
    .filter(Boolean) as string[];
  if (!types.length) {
    // No schema and no default: JSON when it reads as JSON (5, true, [1]), else the text.
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  for (const type of types) {
    if (
      (type === "integer" || type === "number") &&
      text.trim() !== "" &&
      Number.isFinite(Number(text))
    ) {
      const n = Number(text);
      if (type === "number" || Number.isInteger(n)) return n;
    }
    if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
    if (type === "string") return text;
    if (type === "null" && text === "null") return null;
    if (type === "object" || type === "array") {
      try {
        const value = JSON.parse(text);
        if (
          type === "array"
            ? Array.isArray(value)
            : value && typeof value === "object" && !Array.isArray(value)
        )
          return value;
      } catch {}
    }
  }
  const kinds = types.map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(" or ");
  throw new OrchError("E_BAD_INPUT", `-p ${key}=${text}: ${key} must be ${kinds}`, [
    { where: `parameters.${key}`, message: `${JSON.stringify(text)} is not ${kinds}` },
  ]);
}

/**
 * The parameters given on the command line: `--params JSON` first, then each `-p key=value`
 * over it, coerced by the deployment's parameter schema (or its defaults' types).
 */
export function parseParams(
  pairs: string[],
  json: string | undefined,
  schema: Schema | null | undefined,
  defaults: Record<string, unknown> = {},
  /** What the values are, in messages: `parameters`, or a resume's `input`. */
  what: "parameters" | "input" = "parameters",
): Record<string, unknown> {
  let params: Record<string, unknown> = {};
  const problems: Problem[] = [];
  if (json !== undefined) {
    try {
      const value = JSON.parse(json);
      if (!value || typeof value !== "object" || Array.isArray(value))
        throw new Error("not a JSON object");
      params = value;
    } catch (error) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--${what === "input" ? "input" : "params"} must be a JSON object: ${(error as Error).message}`,
      );
    }
  }
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      problems.push({ where: `-p ${pair}`, message: "must be key=value" });
      continue;
    }
    const key = pair.slice(0, eq);
    try {
      params[key] = coerce(key, pair.slice(eq + 1), schema?.properties?.[key], defaults[key]);
    } catch (error) {
      problems.push(...((error as OrchError).problems ?? []));
    }
  }
  // JSON reads 1e400 as Infinity, which JSON cannot carry on (it becomes null): said here.
  problems.push(...outOfRange(params, "parameters"));
  if (problems.length) {
    const named = problems.map((p) => ({
      ...p,
      where: p.where?.replace(/^parameters\./, `${what}.`),
    }));
    throw new OrchError(
      "E_BAD_INPUT",
      `the ${what} ${what === "input" ? "is" : "are"} not valid`,
      named,
    );
  }
  return params;
}

/** The numbers in `value` too large for a JSON number (read as Infinity), with where they are. */
function outOfRange(value: unknown, where: string): Problem[] {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return [{ where, message: "is out of range: a number must be within ±1.8e308" }];
  }
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) =>
    outOfRange(v, Array.isArray(value) ? `${where}[${key}]` : `${where}.${key}`),
  );
}

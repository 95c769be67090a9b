import { OrchError } from "./errors.ts";

/** What a definition can refer to by name: a secret or a variable. */
export type ReferenceKind = "secrets" | "variables";

/** One `{{ secrets.x }}` or `{{ variables.x }}` in a text. */
export interface Reference {
  kind: ReferenceKind;
  name: string;
  /** Where it starts in the text. */
  index: number;
}

/** A secret or variable a deployment or a flow's code names, with where (`flows/etl.yaml:7:19`). */
export interface NamedValue {
  kind: ReferenceKind;
  name: string;
  where: string;
}

/** Names of secrets and variables: letters, digits, `_`, `-` and `.`, starting with a letter or digit. */
export const VALUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

/** Check the name of a secret or variable; throws E_BAD_INPUT with what a name may hold. */
export function checkValueName(kind: "secret" | "variable", name: string): void {
  if (!VALUE_NAME.test(name)) {
    throw new OrchError(
      "E_BAD_INPUT",
      `${JSON.stringify(name)} is not a valid ${kind} name: use letters, digits, "_", "-" and ".", starting with a letter or digit (at most 200)`,
    );
  }
}

const REFERENCE = /\{\{\s*(secrets|variables)\.([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Every secret and variable reference in `text`. */
export function findReferences(text: string): Reference[] {
  return [...text.matchAll(REFERENCE)].map((m) => ({
    kind: m[1] as ReferenceKind,
    name: m[2]!,
    index: m.index!,
  }));
}

/**
 * `getSecret("x")` and `getVariable("x")` in a flow's code, with the name as a literal, in each
 * form README documents: quoted or backticked, and `getVariable("x", fallback)` with its fallback.
 * A name built at run time cannot be read from the code, so no run receives it.
 */
const CODE_CALL = /\bget(Secret|Variable)\s*\(\s*(["'`])([A-Za-z0-9][A-Za-z0-9_.-]*)\2\s*[,)]/g;

/**
 * Every secret and variable a flow's code names in SDK calls: the one rule that decides which
 * values a run of that code receives, whether it is a deployment's run, an ad-hoc one or a test's.
 */
export function findCodeReferences(text: string): Reference[] {
  return [...text.matchAll(CODE_CALL)].map((m) => ({
    kind: m[1] === "Secret" ? ("secrets" as const) : ("variables" as const),
    name: m[3]!,
    index: m.index!,
  }));
}

/** The values a run received, by kind and name. */
export interface ReferenceValues {
  secrets: Record<string, string>;
  variables: Record<string, string>;
}

/**
 * `value` with its `{{ secrets.x }}` and `{{ variables.x }}` filled in, deeply through arrays and
 * objects (strings only; other values stay as they are). A reference to a value the run did not
 * receive is an error that says how to set it.
 */
export function fillReferences<T>(value: T, values: ReferenceValues): T {
  const fill = (item: unknown): unknown => {
    if (typeof item === "string") {
      if (!item.includes("{{")) return item;
      return item.replace(REFERENCE, (_, kind: ReferenceKind, name: string) => {
        const found = values[kind][name];
        if (found === undefined) {
          const what = kind === "secrets" ? "secret" : "variable";
          throw new OrchError(
            "E_NOT_FOUND",
            `{{ ${kind}.${name} }}: no ${what} ${name} was given to this run; set it with orch ${kind} set ${name}${kind === "variables" ? " VALUE" : ""}`,
          );
        }
        return found;
      });
    }
    if (Array.isArray(item)) return item.map(fill);
    if (item && typeof item === "object") {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, fill(v)]));
    }
    return item;
  };
  return fill(value) as T;
}

/** Every secret and variable named in `value`'s strings, deeply. */
export function referencesIn(value: unknown): Reference[] {
  if (typeof value === "string") return findReferences(value);
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(referencesIn);
  return [];
}

import { OrchError } from "../core/index.ts";

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_0-9][\w-]*)*)\s*\}\}/g;

/**
 * Substitute `{{ parameters.x }}` (nested paths like `parameters.db.host` too) in each argument
 * of a command. Strings go in as they are, other values as JSON; no shell is involved, so a value
 * is always exactly one argument's text. A placeholder naming a missing parameter is an error.
 */
export function renderArgv(argv: readonly string[], parameters: Record<string, unknown>): string[] {
  return argv.map((arg, index) =>
    arg.replace(PLACEHOLDER, (_, path: string) => {
      const [root, ...keys] = path.split(".");
      if (root !== "parameters" || keys.length === 0) {
        throw new OrchError(
          "E_BAD_INPUT",
          `command argument ${index} uses {{ ${path} }}; only {{ parameters.NAME }} can be substituted`,
        );
      }
      let value: unknown = parameters;
      for (const key of keys) {
        value =
          value !== null && typeof value === "object" && Object.hasOwn(value, key)
            ? (value as Record<string, unknown>)[key]
            : undefined;
      }
      if (value === undefined) {
        throw new OrchError(
          "E_BAD_INPUT",
          `command argument ${index} uses {{ ${path} }}, but the run has no parameter ${keys.join(".")}; pass it with -p ${keys.join(".")}=VALUE or give it a default in the definition`,
        );
      }
      return typeof value === "string" ? value : JSON.stringify(value);
    }),
  );
}

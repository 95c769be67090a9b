/**
 * The argument parser the CLI's command library calls (`parseArgs` of node:util, with
 * `strict: false` and positionals allowed), written out so that a command does not load node:util:
 * that module costs about 3 ms of every command's start-up, a tenth of `orch runs ls`. The build
 * gives this module to the library in node:util's place (scripts/build-options.ts); a test runs
 * both over thousands of command lines and requires the same answers.
 */

/** One option as the library declares it. */
interface OptionConfig {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  default?: string | boolean | string[] | boolean[];
}

/** What the library passes. */
interface ParseConfig {
  args?: string[];
  options?: Record<string, OptionConfig>;
  strict?: boolean;
  allowPositionals?: boolean;
}

type Value = string | boolean;

/**
 * Parse `args` as node:util's parseArgs does without `strict`: options by the declared types
 * (`--name value`, `--name=value`, `-n value`, `-nvalue`, `-abc` groups), everything after `--`
 * positional, unknown options kept as they come. Throws, as it does, on a malformed declaration.
 */
export function parseArgs(config: ParseConfig): {
  values: Record<string, Value | Value[] | undefined>;
  positionals: string[];
} {
  if (config.strict !== false) throw new TypeError("only strict: false is supported here");
  const options = config.options ?? {};
  for (const [name, option] of Object.entries(options)) checkOption(name, option);
  const values: Record<string, Value | Value[] | undefined> = Object.create(null);
  const positionals: string[] = [];
  const typeOf = (name: string) => (Object.hasOwn(options, name) ? options[name]?.type : undefined);
  const longFor = (short: string) =>
    Object.keys(options).find((name) => options[name]?.short === short) ?? short;
  const store = (name: string, value: string | undefined) => {
    if (name === "__proto__") return;
    const next = value ?? true;
    if (Object.hasOwn(options, name) && options[name]?.multiple) {
      const had = values[name];
      if (Array.isArray(had)) had.push(next);
      else values[name] = [next];
    } else values[name] = next;
  };
  const rest = [...(config.args ?? [])];
  while (rest.length) {
    const arg = rest.shift() as string;
    const next = rest[0];
    if (arg === "--") {
      positionals.push(...rest);
      break;
    }
    const short = arg.length >= 2 && arg[0] === "-" && arg[1] !== "-";
    if (short && arg.length === 2) {
      // -f, and its value next when it takes one.
      const name = longFor(arg[1] as string);
      store(name, typeOf(name) === "string" && next !== undefined ? rest.shift() : undefined);
    } else if (short) {
      const name = longFor(arg[1] as string);
      if (typeOf(name) === "string") {
        store(name, arg.slice(2)); // -fVALUE
      } else {
        // -abc is -a -b -c; a string option inside takes the rest as its value (-abFILE), and
        // one last takes the next argument.
        for (let i = 1; i < arg.length; i++) {
          const letter = longFor(arg[i] as string);
          if (typeOf(letter) !== "string") store(letter, undefined);
          else if (i < arg.length - 1) {
            store(letter, arg.slice(i + 1));
            break;
          } else store(letter, rest[0] !== undefined ? rest.shift() : undefined);
        }
      }
    } else if (arg.length > 2 && arg.startsWith("--")) {
      const equals = arg.indexOf("=", 3);
      if (equals < 0) {
        const name = arg.slice(2);
        store(name, typeOf(name) === "string" && next !== undefined ? rest.shift() : undefined);
      } else store(arg.slice(2, equals), arg.slice(equals + 1));
    } else positionals.push(arg);
  }
  for (const [name, option] of Object.entries(options)) {
    if (option.default !== undefined && values[name] === undefined) values[name] = option.default;
  }
  return { values, positionals };
}

/** A declaration node:util refuses is refused here too (the library then reads all as positionals). */
function checkOption(name: string, option: OptionConfig): void {
  if (option.type !== "string" && option.type !== "boolean") {
    throw new TypeError(`options.${name}.type must be "string" or "boolean"`);
  }
  if (option.short !== undefined && (typeof option.short !== "string" || option.short.length !== 1))
    throw new TypeError(`options.${name}.short must be a single character`);
  if (option.multiple !== undefined && typeof option.multiple !== "boolean")
    throw new TypeError(`options.${name}.multiple must be a boolean`);
  const given = option.default;
  if (given === undefined) return;
  const fits = (value: unknown) => typeof value === option.type;
  const ok = option.multiple ? Array.isArray(given) && given.every(fits) : fits(given);
  if (!ok) throw new TypeError(`options.${name}.default does not fit its type`);
}

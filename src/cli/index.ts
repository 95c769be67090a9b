import { type ArgsDef, type CommandDef, renderUsage, runCommand } from "citty";
import { OrchError, renderProblem, toOrchError } from "../core/errors.ts";
import { isSystemError } from "../core/fs-errors.ts";
import { loadLocalZone } from "../core/local-zone.ts";
import { isTerminal, write } from "../core/stdio.ts";
import { closest } from "../core/suggest.ts";
import { VERSION } from "../core/version.ts";
import { COMMANDS } from "./commands.ts";
import { log, stripAnsi } from "./output.ts";

type AnyCommand = CommandDef<ArgsDef>;

const root: AnyCommand = {
  meta: { name: "orch", version: VERSION, description: "A local-first workflow orchestrator" },
  subCommands: COMMANDS,
};

/** A CLI failure with an exit code and no stack: bad usage is 2. */
class UsageError extends Error {}

/**
 * Run the CLI on argv and exit: 0 ok, 1 a failed run or command, 2 bad usage or bad input.
 * This module (and the commands under it) are the only callers of process.exit.
 */
export async function runCli(given: string[]): Promise<never> {
  let code = 0;
  // `orch help [COMMAND...]` is `orch [COMMAND...] --help`, as in git and docker.
  const argv = given[0] === "help" ? [...given.slice(1), "--help"] : given;
  // Read while the command loads: local times then skip the engine's zone machinery.
  const zone = loadLocalZone();
  try {
    const [leaf, parent, rest] = await resolveCommand(root, argv);
    // A group named alone (`orch runs`, as `orch` alone) lists its commands: it asks what there is.
    const bare = leaf.subCommands && !leaf.run && !rest.some((a) => !a.startsWith("-"));
    if (rest.includes("--help") || rest.includes("-h") || bare) {
      // The usage line names the whole command (`orch runs ls`), however deep it is.
      const named = parent && {
        ...parent,
        meta: { ...(parent.meta as object), name: fullName(parent) },
      };
      const usage = await renderUsage(leaf, named);
      write("stdout", `${maybeStrip(usage).replace(/[ \t]+$/gm, "")}\n`);
      process.exit(0);
    }
    if (leaf.subCommands && !leaf.run) {
      const name = rest.find((a) => !a.startsWith("-"));
      throw new UsageError(
        `unknown command ${JSON.stringify(name)}. Run ${fullName(leaf, parent)} --help to see the commands.`,
      );
    }
    await checkFlags(leaf, parent, rest);
    await zone;
    const { result } = await runCommand(leaf, { rawArgs: rest });
    if (typeof result === "number") code = result;
  } catch (error) {
    code = report(error, argv.includes("--json"));
  }
  process.exit(code);
}

function maybeStrip(text: string): string {
  return isTerminal("stdout") && process.env.NO_COLOR === undefined ? text : stripAnsi(text);
}

function fullName(cmd: AnyCommand, parent?: AnyCommand): string {
  const meta = (m: AnyCommand | undefined) => (m?.meta as { name?: string } | undefined)?.name;
  const name = [meta(parent), meta(cmd)].filter(Boolean).join(" ");
  return !name ? "orch" : name.startsWith("orch") ? name : `orch ${name}`;
}

/** Walk argv down the command tree: the leaf, its parent, and the args left for the leaf. */
async function resolveCommand(
  cmd: AnyCommand,
  argv: string[],
  parent?: AnyCommand,
): Promise<[AnyCommand, AnyCommand | undefined, string[]]> {
  const subs = cmd.subCommands as Record<string, () => Promise<AnyCommand>> | undefined;
  if (!subs) return [cmd, parent, argv];
  const index = argv.findIndex((a) => !a.startsWith("-"));
  const name = index === -1 ? undefined : argv[index]!;
  if (name === undefined) return [cmd, parent, argv];
  const load = subs[name];
  if (!load) {
    if (argv.includes("--help") || argv.includes("-h")) return [cmd, parent, argv];
    const guess = closest(name, Object.keys(subs));
    throw new UsageError(
      `unknown command ${JSON.stringify(name)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ""}. Run ${fullName(cmd, parent)} --help to see the commands.`,
    );
  }
  const sub = await load();
  const named: AnyCommand = { ...sub, meta: { ...(sub.meta as object), name } };
  return resolveCommand(named, [...argv.slice(0, index), ...argv.slice(index + 1)], cmd);
}

/** The option an argument names (`--tag`, `--tag=x`, `-p`), or null for a value or a positional. */
function optionName(arg: string): string | null {
  if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) return null;
  return arg.replace(/^--?/, "").split("=")[0]!;
}

/**
 * Refuse what the command would silently ignore or misread: an option it does not define (a
 * typo), an option that takes a value given none (`--tag` last, or `--tag --watch`), and more
 * arguments than it takes (`--timeout 5 minutes`). A positional whose value hint ends in `...`
 * takes any number (file filters passed on).
 */
async function checkFlags(cmd: AnyCommand, parent: AnyCommand | undefined, args: string[]) {
  const defs = (cmd.args ?? {}) as ArgsDef;
  const byName = new Map<string, ArgsDef[string]>();
  const positionals: string[] = [];
  let variadic = false;
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") {
      positionals.push(name.toUpperCase());
      if (def.valueHint?.endsWith("...")) variadic = true;
      continue;
    }
    const kebab = name.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
    byName.set(name, def).set(kebab, def);
    if (def.type === "boolean") byName.set(`no-${kebab}`, def);
    const aliases = "alias" in def ? def.alias : undefined;
    for (const alias of [aliases ?? []].flat()) byName.set(alias, def);
  }
  const help = `Run ${fullName(cmd, parent)} --help to see its options.`;
  const seen = new Set<ArgsDef[string]>();
  let given = 0;
  let rest = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--" && !rest) {
      if (variadic) break;
      rest = true;
      continue;
    }
    const name = rest ? null : optionName(arg);
    if (name === null) {
      if (++given > positionals.length && !variadic) {
        const takes = positionals.length
          ? `it takes ${positionals.join(" ")}`
          : "it takes no arguments";
        throw new UsageError(
          `unexpected argument ${JSON.stringify(arg)} for ${fullName(cmd, parent)} (${takes}; quote a value that has spaces). ${help}`,
        );
      }
      continue;
    }
    const def = byName.get(name);
    if (!def) {
      const guess = closest(
        name,
        [...byName.keys()].filter((k) => k.length > 1),
      );
      throw new UsageError(
        `unknown option ${arg.split("=")[0]} for ${fullName(cmd, parent)}${guess ? ` (did you mean --${guess}?)` : ""}. ${help}`,
      );
    }
    seen.add(def);
    if ((def.type === "string" || def.type === "enum") && !arg.includes("=")) {
      const next = args[i + 1];
      if (next === undefined || next === "--" || optionName(next) !== null) {
        const said = def.description?.replace(/\.$/, "");
        const hint = said ? `: ${said[0]!.toLowerCase()}${said.slice(1)}` : "";
        throw new UsageError(
          `option ${arg} needs a value${hint} (one that starts with -: write ${arg}=VALUE). ${help}`,
        );
      }
      i++;
    }
  }
  // Said here rather than by the parser, so the message names the whole command and its help.
  let position = 0;
  for (const [name, def] of Object.entries(defs)) {
    const said = def.description?.replace(/\.$/, "");
    const hint = said ? `: ${said[0]!.toLowerCase()}${said.slice(1)}` : "";
    if (def.type === "positional") {
      if (def.required !== false && !variadic && ++position > given && def.default === undefined) {
        throw new UsageError(
          `${fullName(cmd, parent)} needs ${name.toUpperCase()}${hint}. ${help}`,
        );
      }
    } else if (def.required && def.default === undefined && !seen.has(def)) {
      const kebab = name.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
      throw new UsageError(`${fullName(cmd, parent)} needs --${kebab}${hint}. ${help}`);
    }
  }
}

/**
 * Say why the command failed, on stderr, and give its exit code. With --json, as the API says it
 * (`{"error": {"code", "message", "problems"}}`), so a script reads one shape either way.
 */
function report(error: unknown, json = false): number {
  if (json) {
    const usage =
      error instanceof UsageError || (error instanceof Error && error.name === "CLIError");
    const said = usage
      ? new OrchError("E_BAD_INPUT", (error as Error).message)
      : toOrchError(error);
    write("stderr", `${JSON.stringify(said.toJSON())}\n`);
    return said.exitCode;
  }
  if (error instanceof OrchError) {
    log.error(error.message);
    for (const problem of error.problems) write("stderr", `  ${renderProblem(problem)}\n`);
    return error.exitCode;
  }
  if (error instanceof UsageError || (error instanceof Error && error.name === "CLIError")) {
    log.error((error as Error).message);
    return 2;
  }
  // An operating-system error (a path that cannot be read or written) is no bug: no stack.
  if (isSystemError(error)) log.error(error.message);
  else log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return 1;
}

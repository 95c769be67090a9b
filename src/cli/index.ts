import { type ArgsDef, type CommandDef, renderUsage, runCommand } from "citty";
import { closest, OrchError, renderProblem, VERSION } from "../core/index.ts";
import { loadLocalZone } from "../core/local-zone.ts";
import { isTerminal, write } from "../core/stdio.ts";
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
export async function runCli(argv: string[]): Promise<never> {
  let code = 0;
  // Read while the command loads: local times then skip the engine's zone machinery.
  const zone = loadLocalZone();
  try {
    const [leaf, parent, rest] = await resolveCommand(root, argv);
    if (rest.includes("--help") || rest.includes("-h") || (argv.length === 0 && leaf === root)) {
      const usage = await renderUsage(leaf, parent);
      write("stdout", `${maybeStrip(usage).replace(/[ \t]+$/gm, "")}\n`);
      process.exit(0);
    }
    if (leaf.subCommands && !leaf.run) {
      const name = rest.find((a) => !a.startsWith("-"));
      throw new UsageError(
        name
          ? `unknown command ${JSON.stringify(name)}. Run ${fullName(leaf, parent)} --help to see the commands.`
          : `${fullName(leaf, parent)} needs a command. Run ${fullName(leaf, parent)} --help to see them.`,
      );
    }
    await checkFlags(leaf, parent, rest);
    await zone;
    const { result } = await runCommand(leaf, { rawArgs: rest });
    if (typeof result === "number") code = result;
  } catch (error) {
    code = report(error);
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

/** Refuse options the command does not define, so a typo is never silently ignored. */
async function checkFlags(cmd: AnyCommand, parent: AnyCommand | undefined, args: string[]) {
  const defs = (cmd.args ?? {}) as ArgsDef;
  const known = new Set<string>();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") continue;
    const kebab = name.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
    known.add(name).add(kebab);
    if (def.type === "boolean") known.add(`no-${kebab}`);
    const aliases = "alias" in def ? def.alias : undefined;
    for (const alias of [aliases ?? []].flat()) known.add(alias);
  }
  for (const arg of args) {
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) continue;
    const name = arg.replace(/^--?/, "").split("=")[0]!;
    if (!known.has(name)) {
      const guess = closest(
        name,
        [...known].filter((k) => k.length > 1),
      );
      throw new UsageError(
        `unknown option ${arg.split("=")[0]} for ${fullName(cmd, parent)}${guess ? ` (did you mean --${guess}?)` : ""}. Run ${fullName(cmd, parent)} --help to see its options.`,
      );
    }
  }
}

function report(error: unknown): number {
  if (error instanceof OrchError) {
    log.error(error.message);
    for (const problem of error.problems) write("stderr", `  ${renderProblem(problem)}\n`);
    return error.exitCode;
  }
  if (error instanceof UsageError || (error instanceof Error && error.name === "CLIError")) {
    log.error((error as Error).message);
    return 2;
  }
  log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return 1;
}

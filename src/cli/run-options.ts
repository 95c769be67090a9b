import { OrchError, parseAt, parseDuration, type TriggerRunRequest } from "../core/index.ts";
import { repeated } from "./parse-params.ts";

/** The options of `orch run` that shape one run: when, which version, with what. */
export const runOptionArgs = {
  at: {
    type: "string",
    description:
      "Start it at this time: 2026-12-01T09:00 (local, or --tz), or an ISO time with offset",
  },
  tz: { type: "string", description: "The time zone of --at: Europe/Berlin" },
  in: { type: "string", description: "Start it after this long: 2h, 30m" },
  version: { type: "string", description: "Run this version (default: the active one)" },
  timeout: { type: "string", description: "This run's timeout: 10m (over the deployment's)" },
  env: { type: "string", description: "An environment variable, KEY=VALUE (repeatable)" },
  tag: { type: "string", description: "A tag for this run (repeatable)" },
  name: { type: "string", description: "The run's name (default: the deployment's run_name)" },
} as const;

interface RunOptionValues {
  at?: string;
  tz?: string;
  in?: string;
  version?: string;
  timeout?: string;
  name?: string;
}

/**
 * The request body fields for `orch run`'s options (parameters aside); every problem is
 * reported at once.
 */
export function runRequestOptions(
  args: RunOptionValues,
  rawArgs: string[],
  now = Date.now(),
): Omit<TriggerRunRequest, "parameters"> {
  const body: Omit<TriggerRunRequest, "parameters"> = {};
  if (args.at !== undefined && args.in !== undefined) {
    throw new OrchError("E_BAD_INPUT", "give --at or --in, not both");
  }
  if (args.tz !== undefined && args.at === undefined) {
    throw new OrchError("E_BAD_INPUT", "--tz is the time zone of --at; give --at too");
  }
  if (args.at !== undefined)
    body.scheduled_at = new Date(parseAt(args.at, args.tz, now)).toISOString();
  if (args.in !== undefined) {
    const wait = parseDuration(args.in);
    if (wait === undefined) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--in must be a duration such as 2h or 30m, not ${JSON.stringify(args.in)}`,
      );
    }
    body.scheduled_at = new Date(now + wait).toISOString();
  }
  if (args.version !== undefined) {
    const version = Number(args.version.replace(/^v/, ""));
    if (!Number.isInteger(version) || version < 1) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--version must be a version number such as 3, not ${JSON.stringify(args.version)}`,
      );
    }
    body.version = version;
  }
  if (args.timeout !== undefined) body.timeout_ms = timeoutArg(args.timeout);
  const env: Record<string, string> = {};
  for (const pair of repeated(rawArgs, ["env"])) {
    const eq = pair.indexOf("=");
    const key = pair.slice(0, eq);
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--env ${pair}: must be KEY=VALUE, KEY made of letters, digits and _`,
      );
    }
    env[key] = pair.slice(eq + 1);
  }
  if (Object.keys(env).length) body.env = env;
  const tags = repeated(rawArgs, ["tag"]);
  if (tags.length) body.tags = tags;
  if (args.name !== undefined) body.name = args.name;
  return body;
}

/** `--timeout` in milliseconds: a duration such as 10m or 30s, else bad input. */
export function timeoutArg(value: string): number {
  const timeout = parseDuration(value);
  if (!timeout) {
    throw new OrchError(
      "E_BAD_INPUT",
      `--timeout must be a duration such as 10m or 30s, not ${JSON.stringify(value)}`,
    );
  }
  return timeout;
}

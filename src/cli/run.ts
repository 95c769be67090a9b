import { defineCommand } from "citty";
import type { Client, EventJson, LogLineJson, RunJson } from "../client/index.ts";
import {
  canonicalZone,
  EXIT_WATCH_PAUSED,
  formatDuration,
  isTerminal,
  type LogLevel,
  OrchError,
  type StateType,
} from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTime, paintState } from "./format.ts";
import { c, log, printJson, rawArg, showLogLine } from "./output.ts";
import { parseParams, repeated } from "./parse-params.ts";
import { poolHint } from "./pool-hint.ts";
import { runOptionArgs, runRequestOptions } from "./run-options.ts";

export default defineCommand({
  meta: {
    name: "run",
    description: "Trigger a run of a deployment (--watch follows it to the end)",
  },
  args: {
    deployment: { type: "positional", description: "The deployment's name", required: true },
    param: {
      type: "string",
      alias: ["p"],
      description: "A parameter, key=value (repeatable); typed by the parameter schema",
    },
    params: { type: "string", description: "Parameters as a JSON object (-p values go over it)" },
    watch: {
      type: "boolean",
      alias: ["w"],
      description:
        "Stream the logs and wait for the end; exit 0 only if COMPLETED, 3 once it PAUSES (resume it, then orch runs logs ID -f)",
    },
    ...runOptionArgs,
    ...connectArgs,
    ...jsonArg,
    ...rawArg,
  },
  async run({ args, rawArgs }) {
    const options = runRequestOptions(args, rawArgs);
    const conn = await connect(args, { local: false });
    const { client } = conn;
    const deployment = await client.getDeployment(args.deployment);
    const parameters = parseParams(
      repeated(rawArgs, ["p", "param"]),
      args.params,
      deployment.parameter_schema as Parameters<typeof parseParams>[2],
      deployment.parameters,
    );
    // A deployment that cancels runs over its limit may cancel this one as soon as a worker
    // looks at it: wait for that first look, so the user hears of it.
    const collides = deployment.concurrency?.collision === "cancel-new";
    // The last event before the run exists: what happens to the run is read from there on.
    const [last] = collides || args.watch ? await client.listEvents({ limit: 1 }) : [];
    const triggered = await client.triggerRun(args.deployment, { parameters, ...options });
    const run = collides ? await firstLook(client, triggered, last?.id ?? 0) : triggered;
    if (run.state === "CANCELLED") {
      if (args.json) printJson(run);
      else
        log.error(
          `run ${c.bold(run.id.slice(0, 8), "stderr")} of ${run.deployment} was cancelled at once: ${run.state_message}`,
        );
      return 1;
    }
    const waits = args.json ? null : await poolHint(client, run);
    if (!args.watch) {
      if (args.json) printJson(run);
      else if (options.scheduled_at)
        log.success(
          `scheduled ${c.bold(run.id, "stderr")} of ${run.deployment} for ${localTime(run.scheduled_at)}${args.tz ? ` (${zonedWall(run.scheduled_at!, canonicalZone(args.tz) ?? args.tz)})` : ""}; it starts then, even if orch restarts in between`,
        );
      else
        log.success(
          `triggered ${c.bold(run.id, "stderr")} of ${run.deployment}; follow it with orch runs logs ${run.id.slice(0, 8)} -f`,
        );
      if (waits) log.warn(waits);
      return 0;
    }
    // The id at once: the run goes on if this command is stopped, and can be found again by it.
    if (!args.json) {
      log.info(
        `run ${c.bold(run.id, "stderr")} of ${run.deployment}; orch runs logs ${run.id.slice(0, 8)} -f follows it from elsewhere, orch monitor shows it`,
      );
      if (waits) log.warn(waits);
    }
    const print = { json: args.json, raw: args.raw, endOnPause: true };
    const final = await watchRun(client, run, print, last?.id ?? 0);
    if (args.json) printJson(final);
    else showEnd(final);
    return watchExitCode(final);
  },
});

/** An ISO time on a zone's clock: `2026-12-01 09:00 Europe/Berlin`. */
function zonedWall(isoTime: string, zone: string): string {
  const wall = Temporal.Instant.from(isoTime).toZonedDateTimeISO(zone);
  return `${wall.toPlainDate()} ${wall.toPlainTime().toString({ smallestUnit: "minute" })} ${zone}`;
}

/** Say on stderr how a run ended (or paused): its state, exit code and message. */
export function showEnd(final: RunJson): void {
  const how = final.exit_code !== null ? ` (exit code ${final.exit_code})` : "";
  const message =
    final.state_message && final.state !== "COMPLETED" ? `: ${final.state_message}` : "";
  const out = `${paintState(final.state, final.state_name)}${how}${message}`;
  // A pause's message says how to resume it; the run goes on once resumed, not watched.
  const waits =
    final.state === "PAUSED"
      ? `; this watch ends here (exit code ${EXIT_WATCH_PAUSED}); orch runs logs ${final.id.slice(0, 8)} -f follows it once resumed`
      : "";
  write("stderr", `${c.gray("run", "stderr")} ${final.id.slice(0, 8)} ${out}${waits}\n`);
}

/** A watch's exit code: 0 COMPLETED, EXIT_WATCH_PAUSED once PAUSED, else 1. */
export function watchExitCode(final: RunJson): number {
  if (final.state === "COMPLETED") return 0;
  return final.state === "PAUSED" ? EXIT_WATCH_PAUSED : 1;
}

/**
 * Follow a run's logs to its end, printed by showLogLine, and its state changes, printed by
 * showState. With `eventsAfter` (an event id from before the run was made) every state change
 * is said, even those before the logs' stream opened; without, those from then on. Ctrl-C
 * detaches and leaves the run going.
 */
export async function watchRun(
  client: Client,
  run: RunJson,
  print: {
    json?: boolean;
    raw?: boolean;
    timestamps?: boolean;
    filter?: { level?: LogLevel; grep?: string };
    /** Show only the lines after this line id (a retry's, not its earlier attempts'). */
    logsAfter?: number;
    /** Stop once the run PAUSES (it holds no process until resumed): the run as it paused. */
    endOnPause?: boolean;
  } = {},
  eventsAfter?: number,
): Promise<RunJson> {
  const abort = new AbortController();
  const states =
    eventsAfter === undefined
      ? null
      : followStates(client, run, eventsAfter, abort, print.endOnPause === true);
  const detach = () => {
    abort.abort();
    write(
      "stderr",
      `\nleft run ${run.id.slice(0, 8)} running; orch runs cancel ${run.id.slice(0, 8)} stops it\n`,
    );
    process.exit(130);
  };
  process.once("SIGINT", detach);
  try {
    const from = { ...print.filter, ...(print.logsAfter ? { after: print.logsAfter } : {}) };
    for await (const message of client.followLogs(run.id, from, abort.signal)) {
      if (message.event === "log") {
        showLogLine(message.data as LogLineJson, print);
      } else if (message.event === "state") {
        const event = message.data as EventJson;
        const paused = print.endOnPause === true && pausedBy(event);
        // A pause is said by showEnd, with how the watch ends.
        if (!states && !paused) await showState(client, run.id, event);
        if (paused) {
          // Resumed at once by someone else: it goes on, and so does the watch.
          const now = await client.getRun(run.id);
          if (now.state === "PAUSED") return now;
        }
      } else if (message.event === "end") {
        // Every state change is said before the end (the replay may trail the logs).
        await states;
        return message.data as RunJson;
      }
    }
    // The follow takes a closed stream up again: it ends without an end only when orch is gone.
  } catch (error) {
    // An answer orch gave is said as it is; a lost connection, below.
    if (error instanceof OrchError && error.code !== "E_NO_SERVER") throw error;
  } finally {
    abort.abort();
    process.off("SIGINT", detach);
  }
  // Nothing is claimed about a run whose end was not seen.
  throw new OrchError(
    "E_NO_SERVER",
    `lost orch at ${client.url} while following run ${run.id.slice(0, 8)}; when it is back, orch runs inspect ${run.id.slice(0, 8)} tells how it ended`,
  );
}

/** Whether a run's event is its move to PAUSED. */
const pausedBy = (event: EventJson) =>
  (event.payload as { state?: StateType } | null)?.state === "PAUSED";

/**
 * Say each state change of `run` from the events after `after`, until it ends (a pause is left
 * to showEnd when the watch ends on it).
 */
async function followStates(
  client: Client,
  run: RunJson,
  after: number,
  abort: AbortController,
  endOnPause: boolean,
): Promise<void> {
  try {
    for await (const message of client.streamEvents(
      { prefix: ["flow-run."], after },
      abort.signal,
    )) {
      if (message.event !== "event") continue;
      const event = message.data as EventJson;
      if (event.resource !== run.id) continue;
      const { state } = event.payload as { state?: StateType };
      if (event.name === "flow-run.deleted" || (state && isTerminal(state))) return;
      // The watch ends there, and showEnd says so.
      if (endOnPause && state === "PAUSED") continue;
      await showState(client, run.id, event);
    }
  } catch {
    // The logs' stream says when orch goes away; this one only adds to what it shows.
  }
}

/**
 * Say on stderr how a followed run moves on its way (Running, AwaitingRetry with its wait,
 * Retrying); its end is showEnd's to say.
 */
async function showState(client: Client, id: string, event: EventJson): Promise<void> {
  const { state, state_name, message } = event.payload as {
    state: StateType;
    state_name: string;
    message: string | null;
  };
  if (!state || isTerminal(state)) return;
  let out = paintState(state, state_name);
  if (message) out += `: ${message}`;
  if (state === "PAUSED") {
    // The watch waits on (the message says how to resume): leaving it does not end the run.
    out += "; this waits until then (Ctrl-C stops watching; the run stays paused)";
  }
  if (state_name === "AwaitingRetry") {
    // The wait is the run's next due time less the moment it began waiting (the event's).
    const due = (await client.getRun(id)).scheduled_at;
    if (due) {
      const wait = Math.max(0, Date.parse(due) - Date.parse(event.at));
      out += `; next attempt in ${formatDuration(wait)}, at ${localTime(due)}`;
    }
  }
  write("stderr", `${c.gray("run", "stderr")} ${id.slice(0, 8)} ${out}\n`);
}

/** How long `orch run` waits for a worker's first look at a run that may be cancelled at once. */
const FIRST_LOOK_MS = 3000;

/**
 * The run once a worker has looked at it (claimed or cancelled it: its first state change after
 * SCHEDULED, from the events after `after`), or as triggered when none does within FIRST_LOOK_MS.
 */
async function firstLook(client: Client, run: RunJson, after: number): Promise<RunJson> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), FIRST_LOOK_MS);
  try {
    for await (const message of client.streamEvents(
      { prefix: ["flow-run."], after },
      abort.signal,
    )) {
      if (message.event !== "event") continue;
      const event = message.data as { name: string; resource: string | null };
      if (event.resource === run.id && event.name !== "flow-run.scheduled") {
        return await client.getRun(run.id);
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return run;
}

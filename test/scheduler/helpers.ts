import { join } from "node:path";
import {
  type Clock,
  type DeploymentSpec,
  type ScheduleSpec,
  specWithDefaults,
} from "../../src/core/index.ts";
import {
  type Scheduler,
  type SchedulerOptions,
  startScheduler,
  type Timers,
} from "../../src/scheduler/index.ts";
import {
  claimRuns,
  type DeploymentRow,
  openStore,
  type RunRow,
  type Store,
  transitionRun,
  upsertDeployment,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

/**
 * Time under the test's control: a wall clock and timers that fire only when the test moves time.
 * Timers count "monotonic" time, as real ones do: `sleep` moves the wall clock alone, like a
 * laptop lid closed, so a timer asked for 1 s fires after the jump, 1 s of awake time later.
 */
export function createFakeTime(start: number) {
  let wall = start;
  let mono = 0;
  let seq = 0;
  const queue: { at: number; seq: number; fn: () => void }[] = [];
  const clock: Clock = { now: () => wall, awake: () => mono };
  const timers: Timers = {
    setTimeout(fn, ms) {
      const timer = { at: mono + Math.max(0, ms), seq: ++seq, fn };
      queue.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      const i = queue.indexOf(handle as (typeof queue)[number]);
      if (i >= 0) queue.splice(i, 1);
    },
  };
  const nextTimer = () =>
    queue.reduce<(typeof queue)[number] | null>(
      (a, b) => (!a || b.at < a.at || (b.at === a.at && b.seq < a.seq) ? b : a),
      null,
    );
  return {
    clock,
    timers,
    now: () => wall,
    /** Timers waiting. */
    pending: () => queue.length,
    /** Milliseconds until the next timer fires, or null. */
    nextIn: () => {
      const t = nextTimer();
      return t ? t.at - mono : null;
    },
    /** Move time forward by `ms`, firing each timer at its time, in order. */
    async advance(ms: number) {
      const end = mono + ms;
      for (;;) {
        const t = nextTimer();
        if (!t || t.at > end) break;
        queue.splice(queue.indexOf(t), 1);
        wall += t.at - mono;
        mono = t.at;
        t.fn();
        await settle();
      }
      wall += end - mono;
      mono = end;
    },
    /** Move to the wall-clock time `at`, firing timers on the way. */
    async advanceTo(at: number) {
      await this.advance(at - wall);
    },
    /** The process is suspended: the wall clock moves, timers do not count the time. */
    sleep(ms: number) {
      wall += ms;
    },
  };
}
export type FakeTime = ReturnType<typeof createFakeTime>;

/** Let queued microtasks and store listeners run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A deployment spec with defaults for what a test does not care about (a `true` command). */
export function makeSpec(spec: Partial<DeploymentSpec> & { name: string }): DeploymentSpec {
  return specWithDefaults({ command: ["true"], ...spec });
}

/** A schedule with defaults (UTC, active, catchup latest). */
export function schedule(s: Partial<ScheduleSpec>): ScheduleSpec {
  return { timezone: "UTC", parameters: {}, active: true, catchup: "latest", ...s };
}

/** A real store file in a temp dir, on fake time, and schedulers started on it. */
export function createLab(start: number) {
  const t = tempDir("orch-scheduler-");
  const time = createFakeTime(start);
  const path = join(t.dir, "orch.db");
  const stores: Store[] = [];
  const schedulers: Scheduler[] = [];
  const open = () => {
    const store = openStore(path, { clock: time.clock });
    stores.push(store);
    return store;
  };
  const store = open();
  return {
    time,
    store,
    /** Another connection to the same database (a second process). */
    open,
    deploy(spec: Partial<DeploymentSpec> & { name: string }, on: Store = store): DeploymentRow {
      const full = makeSpec(spec);
      return upsertDeployment(on, {
        spec: full,
        hash: new Bun.CryptoHasher("sha256").update(JSON.stringify(full)).digest("hex"),
        bundle: null,
        sourceFile: "flows/test.yaml",
        sourceLine: 1,
      }).deployment;
    },
    start(options: Partial<SchedulerOptions> = {}, on: Store = store): Scheduler {
      const scheduler = startScheduler({
        store: on,
        clock: time.clock,
        timers: time.timers,
        ...options,
      });
      schedulers.push(scheduler);
      return scheduler;
    },
    runs(deployment: string, on: Store = store): RunRow[] {
      return rawSqliteForTests(on)
        .query("SELECT * FROM flow_runs WHERE deployment = ? ORDER BY scheduled_at, seq")
        .all(deployment) as RunRow[];
    },
    /** What a worker would do with every due run: claim it, run it, complete it. */
    runDue(on: Store = store): RunRow[] {
      const { claimed } = claimRuns(on, { pool: "default", workerId: "test", limit: 1000 });
      for (const run of claimed) {
        transitionRun(on, run.id, { type: "RUNNING" });
        transitionRun(on, run.id, { type: "COMPLETED" });
      }
      return claimed;
    },
    cleanup() {
      for (const s of schedulers) s.stop();
      for (const s of stores) s.close();
      t.cleanup();
    },
  };
}
export type Lab = ReturnType<typeof createLab>;

/** Slot keys that more than one run holds (there must be none). */
export function duplicateSlots(store: Store): { key: string; n: number }[] {
  return rawSqliteForTests(store)
    .query(
      "SELECT scheduled_at || ' ' || deployment AS key, count(*) AS n FROM flow_runs WHERE created_by = 'schedule' GROUP BY deployment, scheduled_at, parameters HAVING n > 1",
    )
    .all() as { key: string; n: number }[];
}

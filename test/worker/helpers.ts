import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type DeploymentSpec, type StateType, specWithDefaults } from "../../src/core/index.ts";
import { deployFolder } from "../../src/definitions/index.ts";
import {
  createDeploymentRun,
  type DeploymentRow,
  getRun,
  listLogs,
  openStore,
  type RunRow,
  type Store,
} from "../../src/store/index.ts";
import {
  type EmbeddedWorker,
  type EmbeddedWorkerOptions,
  startEmbeddedWorker,
} from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";

/** A deployment spec with defaults for what a test does not care about. */
export const makeSpec = specWithDefaults;

/** A project in a temp dir: a real store file, a bundles dir, deployments made the real way. */
export interface Lab {
  dir: string;
  store: Store;
  bundlesDir: string;
  /** Deploy a spec with these files (path -> content) as its bundle. */
  deploy(
    spec: Partial<DeploymentSpec> & { name: string },
    files?: Record<string, string>,
  ): DeploymentRow;
  /** Create a run of a deployment, as the API would. */
  trigger(deployment: DeploymentRow, parameters?: Record<string, unknown>): RunRow;
  /** Start an embedded worker on this store (stopped by cleanup). */
  startWorker(options?: Partial<EmbeddedWorkerOptions>): Promise<EmbeddedWorker>;
  /** Resolve with the run once it is in one of `types` (checked now, then on each store event). */
  waitFor(runId: string, types: StateType | StateType[], ms?: number): Promise<RunRow>;
  logs(run: RunRow): string[];
  cleanup(): Promise<void>;
}

/** Set up a lab; call cleanup in afterEach. */
export function createLab(): Lab {
  const t = tempDir("orch-worker-");
  const store = openStore(join(t.dir, "orch.db"));
  const bundlesDir = join(t.dir, "bundles");
  const workers: EmbeddedWorker[] = [];
  let deployed = 0;
  return {
    dir: t.dir,
    store,
    bundlesDir,
    deploy(partial, files = { "README.md": "a flow\n" }) {
      const spec = makeSpec(partial);
      const folder = join(t.dir, "src", `${spec.name}-${deployed++}`);
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(join(folder, path, ".."), { recursive: true });
        writeFileSync(join(folder, path), content, { mode: 0o755 });
      }
      return deployFolder(store, bundlesDir, folder, spec, { file: "flows/test.yaml", line: 1 })
        .deployment;
    },
    trigger(deployment, parameters = {}) {
      // Parameters are merged over the deployment's defaults once, where runs are created.
      return createDeploymentRun(store, deployment.name, { parameters });
    },
    async startWorker(options = {}) {
      const worker = await startEmbeddedWorker({
        store,
        bundlesDir,
        runsDir: join(t.dir, "runs"),
        graceMs: 300,
        ...options,
      });
      workers.push(worker);
      return worker;
    },
    waitFor(runId, types, ms = 15_000) {
      return waitForRun(store, runId, types, ms);
    },
    logs(run) {
      const lines: string[] = [];
      for (let after = 0; ; ) {
        const page = listLogs(store, run.seq, { after, limit: 100_000 });
        if (page.length === 0) return lines;
        for (const row of page) lines.push(row.line);
        after = page.at(-1)!.id;
      }
    },
    async cleanup() {
      await Promise.all(workers.map((w) => w.stop()));
      store.close();
      t.cleanup();
    },
  };
}

/** Resolve with the run once it is in one of `types`; rejects after `ms` with its state then. */
export function waitForRun(
  store: Store,
  runId: string,
  types: StateType | StateType[],
  ms = 15_000,
): Promise<RunRow> {
  const wanted = Array.isArray(types) ? types : [types];
  const check = () => {
    const run = getRun(store, runId);
    return run && wanted.includes(run.state_type) ? run : null;
  };
  const now = check();
  if (now) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      const run = getRun(store, runId);
      reject(
        new Error(
          `run ${runId} did not reach ${wanted.join("/")} in ${ms} ms; it is ${run?.state_type}/${run?.state_name}: ${run?.state_message}`,
        ),
      );
    }, ms);
    const unsubscribe = store.subscribe((event) => {
      if (event.resource !== runId) return;
      const run = check();
      if (!run) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(run);
    });
  });
}

/** Resolve once a condition of the operating system holds (no store event tells us). */
export async function eventually(
  condition: () => boolean,
  ms = 3000,
  what = "condition",
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/**
 * Transactions committed into the store's write-ahead log so far: its frames that end a commit
 * (a non-zero database size), of the log's current generation (its salt).
 */
export function walCommits(dir: string): number {
  const wal = readFileSync(join(dir, "orch.db-wal"));
  const pageSize = wal.readUInt32BE(8);
  const salt = wal.subarray(16, 24);
  let count = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (!wal.subarray(at + 8, at + 16).equals(salt)) break;
    if (wal.readUInt32BE(at + 4) !== 0) count++;
  }
  return count;
}

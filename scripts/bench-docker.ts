/**
 * A docker pool's run: trigger-to-COMPLETED of `true` in a container, through the real store,
 * embedded worker and Docker Engine, beside `docker run --rm IMAGE true` by hand in the same
 * process (one after the other, never at once). Skipped, with the reason, when no daemon answers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { specWithDefaults } from "../src/core/index.ts";
import { deployFolder } from "../src/definitions/index.ts";
import { createRun, openStore, setFilePools } from "../src/store/index.ts";
import { startEmbeddedWorker } from "../src/worker/index.ts";
import { BUSYBOX_IMAGE, dockerUnavailable, ensureTestImages } from "../test/docker/helpers.ts";

/** Run the docker benchmark: `samples` runs each way. */
export async function benchDocker(samples = 10) {
  const unavailable = await dockerUnavailable();
  if (unavailable) return { skipped: unavailable };
  await ensureTestImages();
  const dir = mkdtempSync(join(tmpdir(), "orch-bench-docker-"));
  const store = openStore(join(dir, "orch.db"));
  try {
    setFilePools(store, "flows/boxes.yaml", [
      {
        name: "boxes",
        type: "docker",
        job: { image: BUSYBOX_IMAGE, pull: "never" },
        concurrency: null,
        queues: [],
        embedded: true,
      },
    ]);
    const folder = join(dir, "src");
    mkdirSync(folder);
    writeFileSync(join(folder, "README.md"), "bench\n");
    const spec = specWithDefaults({ name: "true", command: ["true"], work_pool: "boxes" });
    const deployment = deployFolder(store, join(dir, "bundles"), folder, spec).deployment;
    const worker = await startEmbeddedWorker({
      store,
      bundlesDir: join(dir, "bundles"),
      pool: "boxes",
      recover: false,
    });
    const ended = new Map<string, (state: string) => void>();
    store.subscribe((e) => {
      if (e.resource && /^flow-run\.(completed|failed|crashed)$/.test(e.name)) {
        ended.get(e.resource)?.(e.name);
      }
    });
    const orch: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const done = new Promise<string>((resolve) => {
        const run = createRun(store, {
          deploymentId: deployment.id,
          deployment: deployment.name,
          version: deployment.version,
          workPool: "boxes",
        });
        ended.set(run.id, resolve);
      });
      const how = await done;
      if (how !== "flow-run.completed") throw new Error(`a run ended ${how}`);
      orch.push(performance.now() - started);
    }
    await worker.stop();
    const byHand: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const proc = Bun.spawn(["docker", "run", "--rm", BUSYBOX_IMAGE, "true"], {
        stdout: "ignore",
        stderr: "inherit",
      });
      if ((await proc.exited) !== 0) throw new Error("docker run failed");
      byHand.push(performance.now() - started);
    }
    const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[xs.length >> 1]!);
    return {
      samples,
      orch_trigger_to_completed_ms_median: median(orch),
      docker_run_by_hand_ms_median: median(byHand),
      ratio: Number((median(orch) / median(byHand)).toFixed(2)),
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Deployment benchmark: 1,000 definition files loaded at start, one changed file redeployed, and
 * save-to-listed latency through a real watcher and store, beside a raw file-system watch's
 * write-to-event time plus the watcher's settle time, in the same run. Prints one JSON line.
 */
import { mkdirSync, mkdtempSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectPaths } from "../src/core/index.ts";
import { createDeployer, type DeployReport, watchDefinitions } from "../src/definitions/index.ts";
import { ensureDataDir, getDeployment, openStore } from "../src/store/index.ts";

const FILES = 1000;
/** The watcher's quiet time after a burst of saves (watchDefinitions' default). */
const SETTLE_MS = 40;

const def = (i: number, arg: string) =>
  `deployments:\n  - name: d${i}\n    command: ["echo", "${arg}"]\n    schedules:\n      - cron: "*/5 * * * *"\n        timezone: Europe/Berlin\n    retries: 1\n    retry_delay: 10s\n`;

export async function benchDeploy() {
  const root = mkdtempSync(join(tmpdir(), "orch-bench-deploy-"));
  try {
    const paths = projectPaths(root, {});
    mkdirSync(paths.flows, { recursive: true });
    for (let i = 0; i < FILES; i++) writeFileSync(join(paths.flows, `d${i}.yaml`), def(i, "v1"));
    writeFileSync(join(paths.flows, "shared.ts"), "export const x = 1;\n");
    ensureDataDir(paths);
    const store = openStore(paths.db);
    const deployer = createDeployer(store, paths);

    let t = performance.now();
    const first = deployer.deployAll();
    const loadMs = performance.now() - t;

    writeFileSync(join(paths.flows, "d7.yaml"), def(7, "v2"));
    t = performance.now();
    const one = deployer.deployChanged([join(paths.flows, "d7.yaml")]);
    const oneMs = performance.now() - t;

    // The floor in the same run: a raw file-system watch, write to event, plus orch's settle time.
    const rawWatch: number[] = [];
    for (let round = 0; round < 10; round++) {
      const file = join(paths.flows, "raw-watch.txt");
      let wrote = 0;
      const seen = new Promise<number>((resolve) => {
        const watcher = watch(paths.flows, () => {
          watcher.close();
          resolve(performance.now());
        });
      });
      wrote = performance.now();
      writeFileSync(file, String(round));
      rawWatch.push((await seen) - wrote);
    }
    rmSync(join(paths.flows, "raw-watch.txt"));

    // Save to new version listed, through the watcher: time from the last write of a burst.
    const samples: number[] = [];
    let resolveReport: (r: DeployReport) => void = () => {};
    const stop = await watchDefinitions(paths.flows, deployer, {
      onReport: (r) => resolveReport(r),
      onError: (e) => console.error(e),
    });
    for (let round = 0; round < 10; round++) {
      const next = new Promise<DeployReport>((resolve) => {
        resolveReport = resolve;
      });
      const file = join(paths.flows, `d${round}.yaml`);
      for (let k = 0; k < 3; k++) writeFileSync(file, def(round, `burst-${round}-${k}`));
      const lastWrite = performance.now();
      await next;
      const version = getDeployment(store, `d${round}`)?.version;
      if (!version || version < 2) throw new Error("no new version");
      samples.push(performance.now() - lastWrite);
    }
    await stop();
    store.close();
    samples.sort((a, b) => a - b);
    rawWatch.sort((a, b) => a - b);
    const floor = rawWatch[Math.floor(rawWatch.length / 2)]! + SETTLE_MS;
    return {
      definition_files: FILES,
      deployed: first.created.length,
      load_all_ms: Math.round(loadMs),
      one_file_redeploy_ms: Math.round(oneMs * 10) / 10,
      one_file_updated: one.updated,
      save_to_listed_ms_p50: Math.round(samples[Math.floor(samples.length / 2)]!),
      save_to_listed_ms_max: Math.round(samples.at(-1)!),
      raw_watch_plus_settle_ms_p50: Math.round(floor),
      save_to_listed_ratio_to_raw:
        Math.round((samples[Math.floor(samples.length / 2)]! / floor) * 100) / 100,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify({ deploy: await benchDeploy() }));

import type { PoolType, WorkPoolSpec } from "../core/index.ts";
import { isObject, type Report } from "./definition-values.ts";
import { checkPoolJob } from "./job-template.ts";

/**
 * The work pools a file sets (`work_pools`), with a pool or queue set twice reported and each
 * pool's job template checked against its type; `folder` is the definition's (for volumes).
 */
export function buildPools(workPools: unknown, report: Report, folder: string): WorkPoolSpec[] {
  const pools: WorkPoolSpec[] = [];
  const poolNames = new Set<string>();
  (Array.isArray(workPools) ? workPools : []).forEach((raw: unknown, i: number) => {
    if (!isObject(raw) || typeof raw.name !== "string") return;
    if (poolNames.has(raw.name)) {
      report(
        ["work_pools", i, "name"],
        `work pool ${JSON.stringify(raw.name)} is set twice in this file`,
      );
      return;
    }
    poolNames.add(raw.name);
    const queues = (Array.isArray(raw.queues) ? raw.queues : []).filter(isObject);
    const queueNames = new Set<string>();
    for (const [j, q] of queues.entries()) {
      if (typeof q.name === "string" && queueNames.has(q.name)) {
        report(
          ["work_pools", i, "queues", j, "name"],
          `queue ${JSON.stringify(q.name)} is set twice in this pool`,
        );
      }
      queueNames.add(String(q.name));
    }
    const type: PoolType = raw.type === "docker" ? "docker" : "process";
    const job = checkPoolJob(
      type,
      isObject(raw.job) ? raw.job : null,
      ["work_pools", i],
      folder,
      report,
    );
    pools.push({
      name: raw.name,
      type,
      job,
      concurrency: typeof raw.concurrency === "number" ? raw.concurrency : null,
      embedded: raw.embedded_worker === true,
      queues: queues.map((q) => ({
        name: String(q.name),
        priority: typeof q.priority === "number" ? q.priority : 1,
        concurrency: typeof q.concurrency === "number" ? q.concurrency : null,
      })),
    });
  });
  return pools;
}

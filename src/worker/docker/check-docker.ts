import { existsSync } from "node:fs";
import type { Store } from "../../store/index.ts";
import type { WorkerLogger } from "../worker-logger.ts";
import { type DockerEngine, dockerEndpoint } from "./engine.ts";
import { removeStrayContainers } from "./reconcile.ts";

/**
 * At a docker pool's worker start: say at once when Docker cannot be reached (its runs would
 * fail, each with the same reason), and remove containers left by runs that have ended or by
 * workers killed on this host. Never throws: the worker serves the pool either way.
 */
export async function checkDocker(
  store: Store | undefined,
  pool: string,
  engine: DockerEngine,
  host: string,
  logger: WorkerLogger,
): Promise<boolean> {
  try {
    await engine.ping();
  } catch (error) {
    logger.warn(
      `work pool ${pool} (docker): ${(error as Error).message}; its runs fail until Docker is reachable`,
    );
    return false;
  }
  try {
    const removed = await removeStrayContainers(engine, { ...(store ? { store } : {}), host });
    if (removed)
      logger.info(`work pool ${pool}: removed ${removed} container(s) left by ended runs`);
  } catch (error) {
    logger.warn(
      `work pool ${pool}: could not look for leftover containers: ${(error as Error).message}`,
    );
  }
  return true;
}

/**
 * At a remote worker's start, where Docker is (its socket exists): remove the containers that
 * workers of the same server (`apiUrl`) killed on this host left behind. It knows no store, so
 * only those; quiet when there is no Docker here (a worker of process pools needs none).
 */
export async function sweepHostContainers(
  engine: DockerEngine,
  env: Record<string, string | undefined>,
  host: string,
  apiUrl: string,
  logger: WorkerLogger,
): Promise<void> {
  const { unix } = dockerEndpoint(env);
  if (unix && !existsSync(unix)) return;
  try {
    const removed = await removeStrayContainers(engine, { host, apiUrl });
    if (removed) logger.info(`removed ${removed} container(s) left by workers killed on this host`);
  } catch {
    // No daemon answering: a docker pool's runs say so when they start.
  }
}

import { createApiGateway } from "./docker/api-gateway.ts";
import { sweepHostContainers } from "./docker/check-docker.ts";
import { createDockerEngine } from "./docker/engine.ts";
import type { RemoteWorkerOptions } from "./remote-worker-options.ts";
import type { RunnerOptions } from "./run-job.ts";
import type { Workdirs } from "./workdirs.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** What a remote worker's attempts run with, and the gateway to stop when it stops. */
export interface RemoteRunner {
  runner: RunnerOptions;
  /** The API on the docker bridge, for docker pools' containers. */
  gateway: { stop(): void };
}

/**
 * Set up how a remote worker runs its attempts: processes in their own working folders, and for
 * docker pools' runs the Engine and the API on the bridge for their containers (containers a
 * previous worker on this host left behind are swept first).
 */
export async function createRemoteRunner(
  options: RemoteWorkerOptions,
  host: string,
  workdirs: Workdirs,
  logger: WorkerLogger,
): Promise<RemoteRunner> {
  const { client } = options;
  const engine = createDockerEngine(options.env ?? process.env);
  const gateway = createApiGateway(engine, {
    apiUrl: client.url,
    ...(options.token !== undefined ? { token: options.token } : {}),
    warn: (message) => logger.warn(message),
  });
  await sweepHostContainers(engine, options.env ?? process.env, host, client.url, logger);
  const runner: RunnerOptions = {
    graceMs: options.graceMs ?? 5000,
    apiUrl: client.url,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.selfCommand ? { selfCommand: options.selfCommand } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.spawn ? { spawn: options.spawn } : {}),
    // Next to the bundle cache: each attempt's own working folder.
    workdirs,
    host,
    docker: engine,
    containerApiUrl: () => gateway.url(),
  };
  return { runner, gateway };
}

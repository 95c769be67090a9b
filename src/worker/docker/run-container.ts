import type { DockerJob } from "../../core/index.ts";
import { createLogCapture } from "../log-capture.ts";
import { prepareCommand } from "../prepare-command.ts";
import { processStartTime } from "../process-tree.ts";
import { runFolder } from "../run-folder.ts";
import type { RunCallbacks, RunExit, RunHandle, RunJob, RunnerOptions } from "../run-job.ts";
import { selfCommand } from "../self-command.ts";
import { containerApiUrl } from "./api-gateway.ts";
import { demuxLogs } from "./demux.ts";
import { createDockerEngine, type DockerEngine, DockerError } from "./engine.ts";

/** Where a run's files are in its container (read-only), and orch's executable. */
export const BUNDLE_MOUNT = "/orch/bundle";
export const SELF_MOUNT = "/orch/bin/orch";

/** The labels that tie a container to its run and its worker (see reconcileContainers). */
export const RUN_LABEL = "orch.run-id";
export const WORKER_LABEL = "orch.worker";
export const HOST_LABEL = "orch.host";
export const WORKER_PID_LABEL = "orch.worker-pid";
/** The API the worker that started it reports to (a remote worker sweeps only its server's). */
export const API_LABEL = "orch.api";

/** How long the output may go on after the container ended (the daemon flushes it). */
const LOGS_CLOSE_MS = 2000;
const DEFAULT_GRACE_MS = 5000;
const DEFAULT_MAX_LOG_CHARS = 100 * 1024 * 1024;
/** The dynamic loader orch's executable needs (it is linked against glibc). */
const GLIBC_LOADER =
  process.arch === "arm64" ? "/lib/ld-linux-aarch64.so.1" : "/lib64/ld-linux-x86-64.so.2";

/**
 * Start one attempt of a flow run in a Docker container (the run's pool is a docker pool): the
 * twin of spawnRun behind the same RunHandle. The image is pulled as `pull` says, the version's
 * files are mounted read-only, a command runs as argv (parameters never pass through a shell
 * orch did not write) and a TypeScript flow through orch's own executable mounted in; its
 * output becomes log lines; cancel and timeout stop then kill the container; it is removed
 * once it ended (unless auto_remove is false).
 */
export function runContainer(
  job: RunJob,
  callbacks: RunCallbacks = {},
  options: RunnerOptions = {},
): RunHandle {
  const docker = job.infrastructure?.docker as DockerJob;
  const engine = options.docker ?? createDockerEngine(options.env ?? process.env);
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  let container: string | null = null;
  let pid: number | null = null;
  let cancelled = false;
  let timedOut = false;
  let stopWanted = false;
  let stopping: Promise<string | null> | null = null;
  let waited: Promise<number> | null = null;

  const stopContainer = () => {
    stopWanted = true;
    if (!container || !waited || stopping) return;
    const id = container;
    const ended = waited;
    stopping = (async () => {
      await engine.killContainer(id, "SIGTERM");
      const gone = await Promise.race([
        ended.then(
          () => true,
          () => true,
        ),
        Bun.sleep(graceMs).then(() => false),
      ]);
      if (gone) return "SIGTERM";
      await engine.killContainer(id, "SIGKILL");
      return "SIGKILL";
    })().catch(() => null);
  };

  const ended = (exit: Partial<RunExit>): RunExit => ({
    exitCode: null,
    signal: null,
    timedOut,
    cancelled,
    container: true,
    ...exit,
  });

  const exited = (async (): Promise<RunExit> => {
    try {
      await ensureImage(engine, docker);
      const apiUrl = await containerApiUrl(docker.network, options);
      const body = containerBody(job, docker, options, apiUrl);
      if (stopWanted) return stoppedEarly();
      container = await engine.createContainer(`orch-${job.runId}-${job.attempt}`, body);
      if (job.spec.flow && !(await engine.pathExists(container, GLIBC_LOADER))) {
        throw new DockerError(
          `the image ${docker.image} has no glibc (${GLIBC_LOADER}), which orch's executable needs to run a TypeScript flow in a container: use an image with glibc (debian, ubuntu, distroless/cc...) or run a command`,
        );
      }
      if (stopWanted) return stoppedEarly();
      await engine.startContainer(container);
      waited = engine.waitContainer(container);
      waited.catch(() => {});
      const state = await engine.inspectContainer(container);
      pid = state?.Pid || null;
      callbacks.onStarted?.({
        pid: pid ?? 0,
        pidStarted: pid ? processStartTime(pid) : null,
        container: container.slice(0, 12),
      });
      const capture = createLogCapture({
        maxChars: options.maxLogChars ?? DEFAULT_MAX_LOG_CHARS,
        now,
        onLines: (lines) => callbacks.onLogs?.(lines),
      });
      const logs = engine
        .followLogs(container)
        .then((stream) => demuxLogs(stream, capture))
        .catch(() => {});
      if (stopWanted) stopContainer();
      const timer =
        job.spec.timeout_ms != null
          ? setTimeout(() => {
              timedOut = true;
              stopContainer();
            }, job.spec.timeout_ms)
          : null;
      let exitCode: number;
      try {
        exitCode = await waited;
      } finally {
        if (timer) clearTimeout(timer);
      }
      const after = await engine.inspectContainer(container);
      await Promise.race([logs, Bun.sleep(LOGS_CLOSE_MS)]);
      const stoppedWith = stopping ? await stopping : null;
      if (docker.auto_remove) await engine.removeContainer(container);
      if (!after) {
        return ended({ lost: `its container vanished while it ran (removed outside orch?)` });
      }
      if (after.OOMKilled && !stoppedWith) {
        return ended({
          error: `it ran out of memory: its container was killed at its limit of ${formatBytes(docker.memory_bytes)}`,
        });
      }
      return ended({
        exitCode,
        ...(stoppedWith ? { stoppedWith } : {}),
        // A TypeScript flow's thrown error, as its records said (see createLogCapture).
        ...(capture.failure !== null ? { failure: capture.failure } : {}),
      });
    } catch (error) {
      if (container) await engine.removeContainer(container).catch(() => {});
      const message = (error as Error).message ?? String(error);
      // Lost under a started container (the daemon went away): the infrastructure failed.
      return ended(pid !== null ? { lost: message } : { error: message });
    }
  })();

  function stoppedEarly(): Promise<RunExit> {
    const id = container;
    return (async () => {
      if (id) await engine.removeContainer(id);
      return ended(cancelled ? {} : { error: "orch stopped before its container started" });
    })();
  }

  return {
    get pid() {
      return pid;
    },
    cancel() {
      if (!timedOut) cancelled = true;
      stopContainer();
    },
    stop: stopContainer,
    exited,
  };
}

/** Pull the image when `pull` says so; a missing image with pull: never says what to do. */
async function ensureImage(engine: DockerEngine, docker: DockerJob): Promise<void> {
  if (docker.pull === "always") return engine.pullImage(docker.image);
  if (await engine.imageExists(docker.image)) return;
  if (docker.pull === "never") {
    throw new DockerError(
      `the image ${docker.image} is not on the Docker host (${engine.where}) and the pool says pull: never: load or build it there first (docker load, docker import, docker build), or set pull: if-missing`,
    );
  }
  await engine.pullImage(docker.image);
}

/** The container's create body: argv, environment, mounts, limits and labels. */
function containerBody(
  job: RunJob,
  docker: DockerJob,
  options: RunnerOptions,
  apiUrl: string,
): Record<string, unknown> {
  const inside: RunJob = { ...job, bundleDir: BUNDLE_MOUNT };
  const binds = [`${job.bundleDir}:${BUNDLE_MOUNT}:ro`];
  if (job.spec.flow) {
    const self = options.selfCommand ?? selfCommand();
    if (self.length !== 1) {
      throw new DockerError(
        "a TypeScript flow runs in a container through orch's compiled executable, and this orch runs from source: build it (npm run build) and run dist/orch",
      );
    }
    const file = self[0] === "/proc/self/exe" ? process.execPath : self[0]!;
    binds.push(`${file}:${SELF_MOUNT}:ro`);
  }
  const { argv, env: own } = prepareCommand(inside, [SELF_MOUNT]);
  // The worker's own environment stays out: a container gets what its job and run say.
  const env: Record<string, string | undefined> = {
    ...docker.env,
    ...own,
    ORCH_API_URL: apiUrl,
    ORCH_API_TOKEN: apiUrl ? (options.token ?? "") : "",
  };
  return {
    Image: docker.image,
    Cmd: argv,
    Env: Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])),
    WorkingDir: docker.workdir ?? runFolder(job, BUNDLE_MOUNT),
    ...(docker.user ? { User: docker.user } : {}),
    Labels: {
      ...docker.labels,
      [RUN_LABEL]: job.runId,
      "orch.attempt": String(job.attempt),
      "orch.deployment": job.deployment,
      [WORKER_LABEL]: options.workerId ?? "",
      [HOST_LABEL]: options.host ?? "",
      [WORKER_PID_LABEL]: String(process.pid),
      [API_LABEL]: options.apiUrl ?? "",
    },
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      Binds: [...binds, ...docker.volumes],
      NetworkMode: docker.network,
      // A small init as PID 1 passes SIGTERM on (PID 1 ignores signals it has no handler for)
      // and reaps what the run leaves behind.
      Init: true,
      AutoRemove: false,
      ...(docker.cpus !== null ? { NanoCpus: Math.round(docker.cpus * 1e9) } : {}),
      ...(docker.memory_bytes !== null ? { Memory: docker.memory_bytes } : {}),
    },
  };
}

function formatBytes(bytes: number | null): string {
  if (bytes === null) return "its memory limit";
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
  }
  return `${bytes} bytes`;
}

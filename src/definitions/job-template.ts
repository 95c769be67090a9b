/**
 * A pool's job template and a deployment's job_variables: one set of fields, checked the same
 * way in both places, merged (variables over template) and resolved into what a worker runs.
 *
 * The fields are those of a container, named so that a `kubernetes` type maps them onto a Job
 * without renaming anything: image, pull (imagePullPolicy), env, volumes (volumes and mounts),
 * cpus and memory (resource limits), user (runAsUser), workdir (workingDir), labels (the Job's
 * and pod's labels), auto_remove (ttlSecondsAfterFinished: 0). A new type adds fields; it never
 * changes these.
 */
import { isAbsolute, resolve } from "node:path";
import type { DockerJob, Infrastructure, PoolType } from "../core/index.ts";
import { type Item, isObject, type Path, type Report } from "./definition-values.ts";

const LABEL_OR_ENV = {
  type: "object",
  additionalProperties: { type: ["string", "number", "boolean"] },
} as const;

/** The JSON Schema of the template's fields (a pool's `job:`, a deployment's `job_variables:`). */
export const JOB_FIELDS = {
  image: {
    type: "string",
    minLength: 1,
    description: 'The image runs start from: "debian:12", "registry.local/etl:3"',
  },
  pull: {
    enum: ["never", "if-missing", "always"],
    description: "When the worker pulls the image (default if-missing)",
  },
  env: { ...LABEL_OR_ENV, description: "Environment variables in the container" },
  volumes: {
    type: "array",
    items: { type: "string", minLength: 1 },
    description:
      '"host:container" or "host:container:ro"; a relative host path is from the definition\'s folder',
  },
  network: {
    type: "string",
    minLength: 1,
    description: "bridge (default), none, host, or a Docker network's name",
  },
  cpus: { type: "number", exclusiveMinimum: 0, description: "CPUs the container may use: 0.5, 2" },
  memory: {
    description: 'The container\'s memory limit: "512m", "2g", or bytes',
    anyOf: [
      { type: "string", pattern: "^\\d+(\\.\\d+)?\\s*([bkmgBKMG]|[kmgKMG]i?[bB])?$" },
      { type: "integer", minimum: 1 },
    ],
    "x-message": 'must be a size such as "512m" or "2g", or a number of bytes',
  },
  user: {
    type: ["string", "integer"],
    description: 'Who runs in the container: "1000", "app:app"',
  },
  workdir: { type: "string", description: "The working directory in the container (absolute)" },
  labels: { ...LABEL_OR_ENV, description: "Labels on the container (orch.* are orch's own)" },
  auto_remove: {
    type: "boolean",
    description: "Remove the container when its run ends (default true; false keeps it to inspect)",
  },
} as const;

const MEMORY_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A memory size in bytes: "512m", "2g", "64MiB", or a number of bytes. */
export function parseMemory(value: string | number): number | null {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : null;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)(?:i?b)?$/i.exec(value.trim());
  if (!match) return null;
  const bytes = Math.round(Number(match[1]) * MEMORY_UNITS[match[2]!.toLowerCase()]!);
  return bytes > 0 ? bytes : null;
}

/**
 * Check the fields a schema cannot (volume forms, absolute container paths, orch's own labels)
 * and return them with volumes' relative host paths made absolute from `folder`.
 */
export function checkJobFields(job: Item, at: Path, folder: string, report: Report): Item {
  const out: Item = { ...job };
  if (Array.isArray(job.volumes)) {
    out.volumes = job.volumes.map((raw, i) => {
      if (typeof raw !== "string") return raw;
      const parts = raw.split(":");
      const [host, container, mode] = parts;
      if (parts.length < 2 || parts.length > 3 || !host || !container) {
        report(
          [...at, "volumes", i],
          `${JSON.stringify(raw)} must be "host:container" or "host:container:ro"`,
        );
        return raw;
      }
      if (!isAbsolute(container)) {
        report(
          [...at, "volumes", i],
          `the container path ${JSON.stringify(container)} must be absolute`,
        );
      }
      if (mode !== undefined && mode !== "ro" && mode !== "rw") {
        report([...at, "volumes", i], `the mode ${JSON.stringify(mode)} must be ro or rw`);
      }
      return [resolve(folder, host), container, ...(mode ? [mode] : [])].join(":");
    });
  }
  if (typeof job.workdir === "string" && !job.workdir.startsWith("/")) {
    report(
      [...at, "workdir"],
      `${JSON.stringify(job.workdir)} must be an absolute path in the container`,
    );
  }
  if (isObject(job.labels)) {
    for (const key of Object.keys(job.labels)) {
      if (key.startsWith("orch.")) report([...at, "labels"], "orch.* labels are orch's own", key);
    }
  }
  return out;
}

/** Check a pool's `type` and `job:` together: a docker pool needs an image. */
export function checkPoolJob(
  type: PoolType,
  job: Item | null,
  at: Path,
  folder: string,
  report: Report,
): Item | null {
  if (type === "process") {
    if (job)
      report(
        [...at, "job"],
        'a process pool takes no job template; set "type: docker" to run containers',
      );
    return null;
  }
  if (!job || typeof job.image !== "string") {
    report(
      job ? [...at, "job"] : at,
      'a docker pool needs "job: { image: ... }", the image its runs start from',
    );
    return null;
  }
  return checkJobFields(job, [...at, "job"], folder, report);
}

/**
 * Where a run executes: its pool's type, and for a docker pool its template with the deployment's
 * job_variables over it (env and labels merged key by key, every other field replaced).
 */
export function resolveInfrastructure(
  pool: { type: PoolType | null; job: Item | null } | null,
  jobVariables: Item | undefined,
): Infrastructure {
  if (pool?.type !== "docker") return { type: "process" };
  const merged: Item = { ...pool.job, ...jobVariables };
  const strings = (value: unknown) =>
    Object.fromEntries(
      Object.entries(isObject(value) ? value : {}).map(([k, v]) => [k, String(v)]),
    );
  merged.env = { ...strings(pool.job?.env), ...strings(jobVariables?.env) };
  merged.labels = { ...strings(pool.job?.labels), ...strings(jobVariables?.labels) };
  const memory = merged.memory === undefined ? null : parseMemory(merged.memory as string | number);
  const docker: DockerJob = {
    image: String(merged.image ?? ""),
    pull: (merged.pull as DockerJob["pull"] | undefined) ?? "if-missing",
    env: merged.env as Record<string, string>,
    volumes: Array.isArray(merged.volumes) ? merged.volumes.map(String) : [],
    network: typeof merged.network === "string" ? merged.network : "bridge",
    cpus: typeof merged.cpus === "number" ? merged.cpus : null,
    memory_bytes: memory,
    user: merged.user === undefined ? null : String(merged.user),
    workdir: typeof merged.workdir === "string" ? merged.workdir : null,
    labels: merged.labels as Record<string, string>,
    auto_remove: merged.auto_remove !== false,
  };
  return { type: "docker", docker };
}

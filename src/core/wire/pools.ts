import type { Wire } from "./schema.ts";

/** How a pool's runs execute: a child process of the worker, or a Docker container. */
export const POOL_TYPES = ["process", "docker"] as const;
export type PoolType = (typeof POOL_TYPES)[number];

/** When a worker pulls a run's image: never, only when the host lacks it, or before every run. */
export const PULL_POLICIES = ["never", "if-missing", "always"] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/**
 * A docker pool's job template with a deployment's job_variables merged over it: what one run's
 * container is made from. The fields are infrastructure-neutral where they can be (image, env,
 * volumes, cpus, memory, user, workdir, labels), so a kubernetes type maps them onto a Job.
 */
export const DOCKER_JOB = {
  title: "DockerJob",
  type: "object",
  additionalProperties: false,
  required: [
    "image",
    "pull",
    "env",
    "volumes",
    "network",
    "cpus",
    "memory_bytes",
    "user",
    "workdir",
    "labels",
    "auto_remove",
  ],
  properties: {
    image: { type: "string", minLength: 1 },
    pull: { type: "string", enum: PULL_POLICIES },
    env: { type: "object", additionalProperties: { type: "string" } },
    volumes: {
      type: "array",
      items: { type: "string" },
      description: "Binds: `host:container` or `host:container:ro`, host paths absolute",
    },
    network: {
      type: "string",
      description: "bridge (the default), none, host, or a network's name",
    },
    cpus: { type: ["number", "null"], exclusiveMinimum: 0 },
    memory_bytes: { type: ["integer", "null"], minimum: 1 },
    user: { type: ["string", "null"] },
    workdir: { type: ["string", "null"], description: "Absolute, in the container" },
    labels: { type: "object", additionalProperties: { type: "string" } },
    auto_remove: { type: "boolean", description: "Remove the container when the run ends" },
  },
} as const;

/** A docker run's container settings (see DOCKER_JOB). */
export type DockerJob = Wire<typeof DOCKER_JOB>;

/** Where one run executes: its pool's type and, for a container, its resolved job. */
export const INFRASTRUCTURE = {
  title: "Infrastructure",
  type: "object",
  additionalProperties: false,
  required: ["type"],
  properties: {
    type: { type: "string", enum: POOL_TYPES },
    docker: DOCKER_JOB,
  },
} as const;

/** Where one run executes (see INFRASTRUCTURE). */
export type Infrastructure = Wire<typeof INFRASTRUCTURE>;

/** A work pool as `orch pools ls` and GET /api/pools show it. */
export const WORK_POOL = {
  title: "WorkPool",
  type: "object",
  additionalProperties: false,
  required: [
    "name",
    "type",
    "defined",
    "concurrency",
    "paused",
    "workers",
    "runs_waiting",
    "runs_running",
    "job",
  ],
  properties: {
    name: { type: "string" },
    type: { type: "string", enum: POOL_TYPES },
    defined: {
      type: "boolean",
      description:
        "A definition file declares it (orch up serves it); false: made by a worker or a deployment",
    },
    concurrency: { type: ["integer", "null"] },
    paused: { type: "boolean" },
    workers: { type: "integer", minimum: 0, description: "Workers online for it" },
    runs_waiting: { type: "integer", minimum: 0, description: "Runs due and not yet taken" },
    runs_running: { type: "integer", minimum: 0 },
    job: {
      type: ["object", "null"],
      description: "The job template as its definition sets it (null: none)",
    },
  },
} as const;

/** A work pool as listed. */
export type WorkPoolJson = Wire<typeof WORK_POOL>;

/** GET /api/pools/:name: the pool, its queues and the deployments that use it. */
export const WORK_POOL_DETAIL = {
  title: "WorkPoolDetail",
  type: "object",
  additionalProperties: false,
  required: [...WORK_POOL.required, "queues", "deployments"],
  properties: {
    ...WORK_POOL.properties,
    queues: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "priority", "concurrency"],
        properties: {
          name: { type: "string" },
          priority: { type: "integer" },
          concurrency: { type: ["integer", "null"] },
        },
      },
    },
    deployments: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "job_variables"],
        properties: {
          name: { type: "string" },
          job_variables: { type: "object", description: "What it sets over the template" },
        },
      },
    },
  },
} as const;

/** A work pool with its queues and deployments. */
export type WorkPoolDetailJson = Wire<typeof WORK_POOL_DETAIL>;

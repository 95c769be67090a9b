/**
 * The few Docker Engine API calls orch makes, over the daemon's Unix socket (or DOCKER_HOST)
 * with fetch: no Docker CLI, no SDK. Every failure says what is wrong and what to do next, and
 * every call that should answer at once has a deadline, so a daemon that hangs never hangs a run.
 */

/** A Docker failure with a message fit for a run's state. */
export class DockerError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the daemon answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = "DockerError";
  }
}

/** A container as listed. */
export interface ContainerSummary {
  Id: string;
  Labels: Record<string, string>;
  State: string;
}

/** What orch reads of an inspected container. */
export interface ContainerState {
  Running: boolean;
  Pid: number;
  ExitCode: number;
  OOMKilled: boolean;
  Error: string;
}

/** The Docker Engine API, as orch uses it. */
export interface DockerEngine {
  /** Where the daemon is: a socket path or a URL. */
  readonly where: string;
  /** Whether the daemon answers; throws a DockerError that says why not. */
  ping(): Promise<void>;
  imageExists(image: string): Promise<boolean>;
  /** Pull an image; throws with the registry's words when it cannot. */
  pullImage(image: string, signal?: AbortSignal): Promise<void>;
  createContainer(name: string, body: Record<string, unknown>): Promise<string>;
  startContainer(id: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerState | null>;
  /** Resolves with the exit code once the container is not running. */
  waitContainer(id: string): Promise<number>;
  /** The container's output from its start, following it until it ends (8-byte frame headers). */
  followLogs(id: string): Promise<ReadableStream<Uint8Array>>;
  killContainer(id: string, signal: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** Containers (running or not) that carry every label (`key` or `key=value`). */
  listContainers(labels: string[]): Promise<ContainerSummary[]>;
  /** Whether `path` exists in a created container's file system. */
  pathExists(id: string, path: string): Promise<boolean>;
  /** The host's address on a network (its gateway), or null when it has none. */
  networkGateway(network: string): Promise<string | null>;
}

const QUICK_MS = 15_000;
const DEFAULT_SOCKET = "/var/run/docker.sock";

/** Where the daemon is: DOCKER_HOST (unix:// or tcp://), or /var/run/docker.sock. */
export function dockerEndpoint(env: Record<string, string | undefined> = process.env): {
  base: string;
  unix?: string;
  where: string;
} {
  const host = env.DOCKER_HOST;
  if (host?.startsWith("tcp://") || host?.startsWith("http://")) {
    const base = `http://${host.replace(/^(tcp|http):\/\//, "").replace(/\/$/, "")}`;
    return { base, where: host };
  }
  const socket = host?.startsWith("unix://") ? host.slice("unix://".length) : DEFAULT_SOCKET;
  return { base: "http://docker", unix: socket, where: socket };
}

/** A client of the Docker Engine API at `DOCKER_HOST` or the default socket. */
export function createDockerEngine(
  env: Record<string, string | undefined> = process.env,
): DockerEngine {
  const { base, unix, where } = dockerEndpoint(env);

  const call = async (
    method: string,
    path: string,
    init: { body?: unknown; signal?: AbortSignal; quick?: boolean } = {},
  ): Promise<Response> => {
    const signal =
      init.signal ?? (init.quick === false ? undefined : AbortSignal.timeout(QUICK_MS));
    try {
      return await fetch(`${base}${path}`, {
        method,
        ...(unix ? { unix } : {}),
        ...(init.body !== undefined
          ? { body: JSON.stringify(init.body), headers: { "content-type": "application/json" } }
          : {}),
        ...(signal ? { signal } : {}),
      } as RequestInit);
    } catch (error) {
      throw new DockerError(describeConnectError(error, where));
    }
  };
  const ok = async (response: Response, what: string): Promise<Response> => {
    if (response.ok) return response;
    let message = await response.text();
    try {
      message = (JSON.parse(message) as { message?: string }).message ?? message;
    } catch {
      // Not JSON: the text is the message.
    }
    throw new DockerError(`${what}: ${message.trim()}`, response.status);
  };
  const id = (value: string) => encodeURIComponent(value);

  return {
    where,
    async ping() {
      await ok(await call("GET", "/_ping"), `the Docker daemon at ${where} answered badly`);
    },
    async imageExists(image) {
      const response = await call("GET", `/images/${id(image)}/json`);
      if (response.status === 404) return false;
      await ok(response, `could not look for image ${image}`);
      return true;
    },
    async pullImage(image, signal) {
      const [name, tag] = splitImage(image);
      const query = new URLSearchParams({ fromImage: name, tag });
      const response = await ok(
        await call("POST", `/images/create?${query}`, {
          quick: false,
          ...(signal ? { signal } : {}),
        }),
        `could not pull image ${image}`,
      );
      // The pull reports progress as JSON lines; a failure is a line with "error".
      const text = await response.text();
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        const item = JSON.parse(line) as { error?: string };
        if (item.error) throw new DockerError(`could not pull image ${image}: ${item.error}`);
      }
    },
    async createContainer(name, body) {
      const response = await ok(
        await call("POST", `/containers/create?name=${id(name)}`, { body }),
        "could not create the container",
      );
      return ((await response.json()) as { Id: string }).Id;
    },
    async startContainer(container) {
      await ok(
        await call("POST", `/containers/${id(container)}/start`),
        "could not start the container",
      );
    },
    async inspectContainer(container) {
      const response = await call("GET", `/containers/${id(container)}/json`);
      if (response.status === 404) return null;
      await ok(response, "could not inspect the container");
      return ((await response.json()) as { State: ContainerState }).State;
    },
    async waitContainer(container) {
      const response = await ok(
        await call("POST", `/containers/${id(container)}/wait?condition=not-running`, {
          quick: false,
        }),
        "could not wait for the container",
      );
      return ((await response.json()) as { StatusCode: number }).StatusCode;
    },
    async followLogs(container) {
      const response = await ok(
        await call("GET", `/containers/${id(container)}/logs?follow=1&stdout=1&stderr=1`, {
          quick: false,
        }),
        "could not read the container's output",
      );
      if (!response.body) throw new DockerError("the container's output has no body");
      return response.body;
    },
    async killContainer(container, signal) {
      const response = await call("POST", `/containers/${id(container)}/kill?signal=${signal}`);
      // Not running (409) or gone (404): nothing to kill.
      if (response.status === 409 || response.status === 404) return;
      await ok(response, "could not stop the container");
    },
    async removeContainer(container) {
      const response = await call("DELETE", `/containers/${id(container)}?force=1&v=1`);
      if (response.status === 404) return;
      // Already being removed (auto-remove, or two removals at once).
      if (response.status === 409) return;
      await ok(response, "could not remove the container");
    },
    async listContainers(labels) {
      const filters = encodeURIComponent(JSON.stringify({ label: labels }));
      const response = await ok(
        await call("GET", `/containers/json?all=1&filters=${filters}`),
        "could not list containers",
      );
      return (await response.json()) as ContainerSummary[];
    },
    async pathExists(container, path) {
      const response = await call(
        "HEAD",
        `/containers/${id(container)}/archive?path=${encodeURIComponent(path)}`,
      );
      return response.ok;
    },
    async networkGateway(network) {
      const response = await call("GET", `/networks/${id(network)}`);
      if (response.status === 404) return null;
      await ok(response, `could not inspect network ${network}`);
      const info = (await response.json()) as {
        IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] };
      };
      const config = info.IPAM?.Config ?? [];
      const gateway = config.find((c) => c.Gateway)?.Gateway;
      if (gateway) return gateway;
      // The default bridge often leaves its gateway out: Docker gives it the subnet's first address.
      const subnet = config.find((c) => /^\d+\.\d+\.\d+\.\d+\//.test(c.Subnet ?? ""))?.Subnet;
      if (!subnet) return null;
      const octets = subnet.split("/")[0]!.split(".").map(Number);
      octets[3] = octets[3]! + 1;
      return octets.join(".");
    },
  };
}

/** `name[:tag]` (a registry's port is not a tag): the tag defaults to latest. */
function splitImage(image: string): [string, string] {
  if (image.includes("@")) return [image, ""];
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon > slash) return [image.slice(0, colon), image.slice(colon + 1)];
  return [image, "latest"];
}

/** Why the daemon could not be reached, and what to do about it. */
export function describeConnectError(error: unknown, where: string): string {
  const code = (error as { code?: string }).code;
  const name = (error as Error).name;
  if (name === "TimeoutError" || name === "AbortError") {
    return `the Docker daemon at ${where} did not answer in time (is it overloaded or stuck?)`;
  }
  if (code === "ENOENT" || code === "FailedToOpenSocket") {
    const installed = Boolean(Bun.which("dockerd") ?? Bun.which("docker"));
    return installed
      ? `the Docker daemon is not running: there is no socket at ${where} (start dockerd, or set DOCKER_HOST to where it listens)`
      : `Docker is not installed here: no dockerd and no socket at ${where} (install Docker, e.g. apt-get install docker.io, and start dockerd, or set DOCKER_HOST)`;
  }
  if (code === "ECONNREFUSED") {
    return `the Docker daemon is not running: nothing answers at ${where} (start dockerd)`;
  }
  if (code === "EACCES" || code === "EPERM") {
    return `permission denied on the Docker socket ${where}: run orch as a user in the docker group (or root), or set DOCKER_HOST`;
  }
  return `could not reach the Docker daemon at ${where}: ${(error as Error).message}`;
}

import { copyFileSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { type Client, createClient, type RunDetail } from "../../src/client/index.ts";
import { createDockerEngine } from "../../src/worker/index.ts";
import { spawnOrch, tempDir } from "../helpers.ts";

/** The Docker Engine the tests use (DOCKER_HOST or the default socket). */
export const engine = createDockerEngine();

/**
 * Why the Docker tests cannot run here, or null when the daemon answers. `.ci/run` installs
 * Docker and starts the daemon; only a daemon that cannot start skips them.
 */
export async function dockerUnavailable(): Promise<string | null> {
  try {
    await engine.ping();
    return null;
  } catch (error) {
    return `Docker tests skipped: ${(error as Error).message}`;
  }
}

/** An image with busybox only: commands run, orch's executable cannot (no glibc). */
export const BUSYBOX_IMAGE = "orch-test/busybox:1";
/** busybox plus the host's glibc: orch's executable runs TypeScript flows in it. */
export const GLIBC_IMAGE = "orch-test/glibc:1";

const TOOLS = ["sh", "echo", "printf", "sleep", "cat", "ls", "true", "false", "env", "id"];
const GLIBC = [
  "/lib64/ld-linux-x86-64.so.2",
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/x86_64-linux-gnu/libpthread.so.0",
  "/lib/x86_64-linux-gnu/libdl.so.2",
  "/lib/x86_64-linux-gnu/libm.so.6",
];

/**
 * Build the test images offline (no registry is reachable): a root file system with busybox
 * (and, for the glibc image, the host's C library), imported through the Engine API. Kept
 * between runs: built only when missing.
 */
export async function ensureTestImages(): Promise<void> {
  for (const [image, glibc] of [
    [BUSYBOX_IMAGE, false],
    [GLIBC_IMAGE, true],
  ] as const) {
    if (await engine.imageExists(image)) continue;
    const root = tempDir("orch-rootfs-");
    try {
      mkdirSync(join(root.dir, "bin"));
      mkdirSync(join(root.dir, "tmp"));
      copyFileSync(busybox(), join(root.dir, "bin/busybox"));
      for (const tool of TOOLS) symlinkSync("busybox", join(root.dir, "bin", tool));
      if (glibc) {
        for (const lib of GLIBC) {
          mkdirSync(join(root.dir, lib, ".."), { recursive: true });
          copyFileSync(lib, join(root.dir, lib));
        }
      }
      const tar = Bun.spawnSync(["tar", "-C", root.dir, "-cf", "-", "."], { stdout: "pipe" });
      if (tar.exitCode !== 0) throw new Error("tar failed");
      const [repo, tag] = image.split(":");
      const res = await fetch(
        `http://docker/images/create?fromSrc=-&repo=${encodeURIComponent(repo!)}&tag=${tag}`,
        { method: "POST", unix: engine.where, body: tar.stdout } as RequestInit,
      );
      const text = await res.text();
      if (!res.ok || text.includes('"error"')) throw new Error(`importing ${image}: ${text}`);
    } finally {
      root.cleanup();
    }
  }
}

function busybox(): string {
  for (const path of ["/bin/busybox", "/usr/bin/busybox"]) if (existsSync(path)) return path;
  throw new Error("busybox is not installed (apt-get install busybox-static)");
}

/** Containers (running or not) that carry a label, e.g. a test's own `test.marker=...`. */
export async function containersWith(label: string): Promise<string[]> {
  return (await engine.listContainers([label])).map((c) => c.Id);
}

/** A project with `flows/docker.yaml` holding `yaml`, served by `orch up` (the compiled binary). */
export async function startProject(yaml: string, files: Record<string, string> = {}) {
  const project = tempDir("orch-docker-");
  await Bun.write(join(project.dir, "flows/docker.yaml"), yaml);
  for (const [name, text] of Object.entries(files)) await Bun.write(join(project.dir, name), text);
  const start = () => {
    const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir]);
    return up;
  };
  let up = start();
  await up.waitFor("orch is up at", 20_000);
  const info = async () => {
    const server = JSON.parse(await Bun.file(join(project.dir, ".orch/server.json")).text());
    const token = (await Bun.file(join(project.dir, ".orch/token")).text()).trim();
    return createClient({ url: server.url, token });
  };
  let client = await info();
  return {
    dir: project.dir,
    get up() {
      return up;
    },
    get client(): Client {
      return client;
    },
    /** Start orch up again (after it was killed). */
    async restart() {
      up = start();
      await up.waitFor("orch is up at", 20_000);
      client = await info();
    },
    async stop() {
      up.proc.kill("SIGTERM");
      await up.proc.exited;
      project.cleanup();
    },
  };
}

/** Trigger a deployment and wait for its run to end (or reach `until`); the run's detail. */
export async function runToEnd(
  client: Client,
  deployment: string,
  parameters: Record<string, unknown> = {},
  ms = 30_000,
): Promise<RunDetail> {
  const run = await client.triggerRun(deployment, { parameters });
  return waitForState(client, run.id, ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"], ms);
}

/** Poll a run until its state is one of `states`. */
export async function waitForState(
  client: Client,
  id: string,
  states: string[],
  ms = 30_000,
): Promise<RunDetail> {
  const deadline = performance.now() + ms;
  for (;;) {
    const run = await client.getRun(id);
    if (states.includes(run.state)) return run;
    if (performance.now() > deadline) {
      throw new Error(`run ${id} is ${run.state}, not ${states.join("/")}, after ${ms} ms`);
    }
    await Bun.sleep(50);
  }
}

/** A run's log lines, as text. */
export async function logText(client: Client, id: string): Promise<string[]> {
  return (await client.runLogs(id)).map((l) => l.line);
}

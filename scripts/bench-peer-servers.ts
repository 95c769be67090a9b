/**
 * The servers the benchmark's peers need, started for one run in a temporary folder and stopped
 * after: Redis (for BullMQ) and Postgres (for graphile-worker). Either may be missing from the
 * machine; then the peer is skipped with a line that says what to install. Neither is needed by
 * orch itself nor by its tests.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A server started for the benchmark. */
export interface PeerServer {
  /** How to reach it: a Redis port, or a Postgres connection string. */
  url: string;
  stop(): Promise<void>;
}

/** A started server, or why there is none. */
export type PeerStart = PeerServer | { skipped: string };

/** The first of `names` on PATH or in the usual folders, or null. */
function findBinary(...names: string[]): string | null {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/local/bin", "/usr/bin"];
  for (const name of names) {
    const found = Bun.which(name, { PATH: dirs.join(":") });
    if (found) return found;
  }
  return null;
}

/** A free TCP port on 127.0.0.1. */
function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** Poll `ready` every 50 ms for up to 20 s. */
async function until(what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (!(await ready())) {
    if (performance.now() > deadline) throw new Error(`${what} did not start within 20 s`);
    await Bun.sleep(50);
  }
}

/** Whether something answers on a TCP port. */
async function answers(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

/** A Redis server without persistence on a free port; or why not. */
export async function startRedis(): Promise<PeerStart> {
  const binary = findBinary("redis-server");
  if (!binary)
    return { skipped: "redis-server is not installed (apt-get install redis-server to compare)" };
  const dir = mkdtempSync(join(tmpdir(), "orch-bench-redis-"));
  const port = freePort();
  const proc = Bun.spawn(
    [binary, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { cwd: dir, stdout: "ignore", stderr: "ignore" },
  );
  await until("redis-server", () => answers(port));
  return {
    url: String(port),
    async stop() {
      proc.kill();
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Postgres cluster made with initdb (trust auth) on a free port; or why not. Postgres refuses
 * to run as root, so as root it runs as the `postgres` user. Commits are not waited for on disk
 * (synchronous_commit=off), as orch's own store does not sync each commit either (WAL, NORMAL).
 */
export async function startPostgres(): Promise<PeerStart> {
  const postgres = findBinary("postgres");
  const initdb = findBinary("initdb");
  if (!postgres || !initdb)
    return { skipped: "postgres and initdb are not installed (install PostgreSQL to compare)" };
  const dir = mkdtempSync(join(tmpdir(), "orch-bench-pg-"));
  const asUser = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  if (asUser.length) Bun.spawnSync(["chown", "-R", "postgres", dir]);
  const data = join(dir, "data");
  const init = Bun.spawnSync([...asUser, initdb, "-D", data, "-U", "postgres", "-A", "trust"], {
    stdout: "ignore",
    stderr: "pipe",
  });
  if (init.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { skipped: `initdb failed: ${init.stderr.toString().trim().split("\n").at(-1)}` };
  }
  const port = freePort();
  const proc = Bun.spawn(
    [
      ...asUser,
      postgres,
      "-D",
      data,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${dir}`,
      "-c",
      "synchronous_commit=off",
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  await until("postgres", () => answers(port));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      // The server itself, by the pid it wrote (as root, `proc` is runuser, which waits for it).
      const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
      if (pid > 0) process.kill(pid, "SIGINT");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

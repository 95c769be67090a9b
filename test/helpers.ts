import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The compiled executable under test (built by global-setup). */
export const ORCH = resolve(import.meta.dirname, "../dist/orch");

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "orch-test-"): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion (no colours, no stdin); its exit code and output. */
export async function runCommand(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Ran> {
  const proc = Bun.spawn(argv, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** Run the compiled orch to completion. */
export function orch(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Ran> {
  return runCommand([ORCH, ...args], options);
}

/** Start a long-running orch command; read its stderr as it goes. */
export function spawnOrch(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
) {
  const proc = Bun.spawn([ORCH, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  let stderr = "";
  const decoder = new TextDecoder();
  const waiters: { text: string; resolve: () => void }[] = [];
  (async () => {
    for await (const chunk of proc.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      for (const w of waiters.filter((w) => stderr.includes(w.text))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  })();
  return {
    proc,
    get stderr() {
      return stderr;
    },
    /** Resolve once stderr contains `text`; reject after `ms`. */
    waitFor(text: string, ms = 10_000): Promise<void> {
      if (stderr.includes(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`timed out waiting for ${JSON.stringify(text)}; stderr:\n${stderr}`)),
          ms,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

/**
 * A project's `orch up --headless` that a test starts and stops (a restart is stop then
 * start): start resolves once the server is up, stop once its process has ended.
 */
export function projectServer(dir: () => string) {
  let up: ReturnType<typeof spawnOrch> | null = null;
  return {
    async start(): Promise<void> {
      up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir()]);
      await up.waitFor("orch is up at");
    },
    /** Resolve once the running server's log (stderr) contains `text`. */
    waitForLog(text: string, ms?: number): Promise<void> {
      if (!up) throw new Error("the server is not running");
      return up.waitFor(text, ms);
    },
    async stop(): Promise<void> {
      up?.proc.kill("SIGTERM");
      await up?.proc.exited;
      up = null;
    },
  };
}

/**
 * The real Node on PATH, or null. Why not Bun.which("node"): under `bun --bun`, PATH starts with
 * a folder where `node` is Bun itself.
 */
export function realNode(): string | null {
  for (const folder of (process.env.PATH ?? "").split(":")) {
    const candidate = Bun.which("node", { PATH: folder });
    if (!candidate) continue;
    const probe = Bun.spawnSync([candidate, "-p", "typeof Bun"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    if (probe.stdout.toString().trim() === "undefined") return candidate;
  }
  return null;
}

/**
 * A free port for a server a test stops and starts again at the same URL. Port 0 would pick one
 * from the kernel's ephemeral range, which every outgoing connection on the machine also draws
 * from: while the server is down, another suite's client may take its port, and the restart
 * fails with EADDRINUSE. So the port is drawn at random below that range and probed.
 */
export function reusablePort(): number {
  const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
    .trim()
    .split(/\s+/)
    .map(Number);
  const top = Math.min(low || 32768, 32768) - 1;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * (top - 20_000));
    try {
      const probe = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
      probe.stop(true);
      return port;
    } catch {
      // Taken: draw again.
    }
  }
  throw new Error("no free port found below the ephemeral range in 100 draws");
}

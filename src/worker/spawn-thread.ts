/**
 * The thread that starts a server's run processes (see createThreadLauncher). It spawns what it
 * is asked to, then forwards each process's pid (with its start time), output and exit as
 * messages, in order. It keeps no state beyond the processes it follows, and imports nothing of
 * orch but the /proc reader.
 */
import { processStartTime } from "./process-tree.ts";

/** What the server's thread asks. */
interface SpawnMessage {
  type: "spawn";
  id: number;
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}

declare const self: Worker;

const post = (message: unknown) => self.postMessage(message);

async function forward(id: number, stream: ReadableStream<Uint8Array>, fd: 1 | 2) {
  try {
    for await (const chunk of stream) post({ type: "out", id, fd, chunk });
  } catch {
    // A pipe that errors ends like one that closes.
  } finally {
    post({ type: "end", id, fd });
  }
}

function start({ id, argv, cwd, env }: SpawnMessage) {
  let proc: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  try {
    proc = Bun.spawn(argv, {
      cwd,
      env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    post({ type: "failed", id, code: e.code, message: e.message ?? String(error) });
    return;
  }
  // Read here, not on the server's thread: right after the spawn the kernel takes a while (about
  // 0.1-0.3 ms) to answer for a process that has only just replaced itself.
  // When it started and ended, stamped here: the server's thread may hear of both late (a busy
  // turn), and its timeout is judged on the process's own life (see spawnRun).
  const at = performance.timeOrigin + performance.now();
  post({ type: "started", id, pid: proc.pid, pidStarted: processStartTime(proc.pid), at });
  void forward(id, proc.stdout, 1);
  void forward(id, proc.stderr, 2);
  void proc.exited.then(() =>
    post({
      type: "exited",
      id,
      exitCode: proc.exitCode,
      signalCode: proc.signalCode,
      at: performance.timeOrigin + performance.now(),
    }),
  );
}

// Requests come as JSON text (see createThreadLauncher).
self.onmessage = (event: MessageEvent<string>) => {
  const message = JSON.parse(event.data) as SpawnMessage;
  if (message.type === "spawn") start(message);
};

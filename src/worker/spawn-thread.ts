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
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      post({ type: "out", id, fd, chunk: value });
    }
  } catch {
    // A pipe that errors ends like one that closes.
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
  // When it started and ended, stamped here: the server's thread may hear of both late (a busy
  // turn), and its timeout is judged on the process's own life (see spawnRun). Its start time is
  // read here too, off the server's thread.
  const at = performance.timeOrigin + performance.now();
  post({ type: "started", id, pid: proc.pid, pidStarted: processStartTime(proc.pid), at });
  // The pipes that close before the exit is told are told with it (most processes close both as
  // they exit): one message where there were three.
  let ended = 0;
  let exitedAt = 0;
  let told = false;
  const tell = () => {
    if (told) return;
    told = true;
    const { exitCode, signalCode } = proc;
    post({ type: "exited", id, exitCode, signalCode, at: exitedAt, ended });
  };
  const closed = (fd: 1 | 2) => () => {
    if (told) return post({ type: "end", id, fd });
    ended |= fd;
    if (ended === 3 && exitedAt) tell();
  };
  void forward(id, proc.stdout, 1).then(closed(1));
  void forward(id, proc.stderr, 2).then(closed(2));
  void proc.exited.then(() => {
    exitedAt = performance.timeOrigin + performance.now();
    // A pipe still open may close within the turn; one held by a process the run left behind
    // is not waited for (the server sweeps those once it hears of the exit).
    if (ended === 3) tell();
    else setImmediate(tell);
  });
}

// Requests come as JSON text (see createThreadLauncher).
self.onmessage = (event: MessageEvent<string>) => {
  const message = JSON.parse(event.data) as SpawnMessage;
  if (message.type === "spawn") start(message);
};

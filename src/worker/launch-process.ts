import { threadEntryUrl } from "../core/thread-entry.ts";

/** A run's started process, as spawnRun follows it (the part of Bun's subprocess it uses). */
export interface LaunchedProcess {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  /** Settles once the process has ended. */
  readonly exited: Promise<unknown>;
  readonly exitCode: number | null;
  readonly signalCode: string | number | null;
  /** The process's start time (processStartTime), when the launcher has read it already. */
  readonly pidStarted?: string | null;
  /**
   * When the process started and ended (epochMs), stamped by a launcher on another thread as it
   * happened; absent where the caller's own clock is as good (it spawns and reaps itself).
   */
  readonly startedAt?: number;
  readonly exitedAt?: number;
}

/** A high-resolution wall clock that threads share: milliseconds since the epoch. */
export const epochMs = () => performance.timeOrigin + performance.now();

/** What to start: a run's argv, working directory and environment. */
export interface LaunchRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}

/**
 * Starts a run's process in a session of its own, stdin closed, stdout and stderr piped; throws
 * (or rejects) as Bun.spawn does when it cannot (ENOENT, EACCES).
 */
export type Launcher = (request: LaunchRequest) => LaunchedProcess | Promise<LaunchedProcess>;

/** The launcher that spawns on the calling thread. */
export function spawnLauncher(spawn: typeof Bun.spawn = Bun.spawn): Launcher {
  return ({ argv, cwd, env }) =>
    spawn(argv, { cwd, env, stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true });
}

/** What a failed spawn of `command` means, in words that say what to do. */
export function describeSpawnError(command: string, error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return `command not found: ${command} (is it installed and on PATH?)`;
  if (e.code === "EACCES") return `permission denied running ${command} (is it executable?)`;
  return `could not start ${command}: ${e.message ?? String(error)}`;
}

/** A launcher whose spawns happen on a thread of their own. */
export interface ThreadLauncher {
  launch: Launcher;
  /** End the thread (once every process it started has ended). */
  stop(): void;
}

type ThreadMessage =
  | { type: "started"; id: number; pid: number; pidStarted: string | null; at: number }
  | { type: "failed"; id: number; code?: string; message: string }
  | { type: "out"; id: number; fd: 1 | 2; chunk: Uint8Array }
  | { type: "end"; id: number; fd: 1 | 2 }
  | {
      type: "exited";
      id: number;
      exitCode: number | null;
      signalCode: string | null;
      at: number;
      /** Its pipes that closed before it exited (1 stdout, 2 stderr, 3 both): no "end" follows. */
      ended: number;
    };

interface Following {
  request: LaunchRequest;
  resolve(process: LaunchedProcess | Promise<LaunchedProcess>): void;
  reject(error: Error): void;
  pipes: Record<1 | 2, ReadableStreamDefaultController<Uint8Array> | undefined>;
  /** Pipes not yet closed, and whether the exit was told: followed until both are done. */
  open: number;
  exited: boolean;
  started: boolean;
  ended(exitCode: number | null, signalCode: string | null, at?: number): void;
}

/**
 * Start the thread that spawns a server's runs, or null where no thread can start. Why a thread:
 * a spawn holds the calling thread until the child has replaced itself with the command (vfork),
 * which on a busy machine took 2-4 ms per run in the server against 1 ms in an idle process; on
 * the server's thread that held every request, commit and log line of every other run meanwhile.
 * On its own thread the server goes on while the child starts. The thread forwards the output
 * and the exit in order, so a run's lines all come before its end, as with a direct spawn.
 */
export function createThreadLauncher(): ThreadLauncher | null {
  let thread: Worker;
  try {
    thread = new Worker(threadEntryUrl("worker/spawn-thread.ts", import.meta.url));
  } catch {
    return null;
  }
  // Where the thread cannot run (it failed to load, or later), runs start on this thread.
  const direct = spawnLauncher();
  // The thread never keeps orch running on its own.
  (thread as Worker & { unref(): void }).unref();
  const following = new Map<number, Following>();
  let next = 1;
  let broken: string | null = null;
  // Followed until its exit and both its pipes' ends are told: a pipe held open by what the run
  // left behind closes after the exit, once the server has swept it.
  const done = (id: number, f: Following) => {
    if (f.exited && f.open === 0) following.delete(id);
  };
  const close = (id: number, f: Following, fd: 1 | 2) => {
    const pipe = f.pipes[fd];
    f.pipes[fd] = undefined;
    f.open--;
    // A reader that went away (cancelled its stream) needs nothing more.
    try {
      pipe?.close();
    } catch {}
    done(id, f);
  };

  thread.onmessage = (event: MessageEvent<ThreadMessage>) => {
    const m = event.data;
    const f = following.get(m.id);
    if (!f) return;
    if (m.type === "started") {
      f.started = true;
      let exitCode: number | null = null;
      let signalCode: string | null = null;
      let exitedAt: number | undefined;
      const pipe = (fd: 1 | 2) =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            f.pipes[fd] = controller;
          },
        });
      const exited = new Promise<void>((resolve) => {
        f.ended = (code, signal, at) => {
          exitCode = code;
          signalCode = signal;
          exitedAt = at;
          f.exited = true;
          done(m.id, f);
          resolve();
        };
      });
      f.resolve({
        pid: m.pid,
        pidStarted: m.pidStarted,
        startedAt: m.at,
        get exitedAt() {
          return exitedAt;
        },
        stdout: pipe(1),
        stderr: pipe(2),
        exited,
        get exitCode() {
          return exitCode;
        },
        get signalCode() {
          return signalCode;
        },
      });
    } else if (m.type === "failed") {
      following.delete(m.id);
      f.reject(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
    } else if (m.type === "exited") {
      for (const fd of [1, 2] as const) if (m.ended & fd) close(m.id, f, fd);
      f.ended(m.exitCode, m.signalCode, m.at);
    } else if (m.type === "end") close(m.id, f, m.fd);
    else {
      try {
        f.pipes[m.fd]?.enqueue(m.chunk);
      } catch {}
    }
  };
  thread.onerror = (event) => {
    // A thread that fails takes its processes' news with it: what was being started starts on
    // this thread instead, and what runs ends as far as orch can follow it (its pipes closed,
    // its exit unknown).
    broken = event.message || "the spawning thread failed";
    for (const [id, f] of [...following]) {
      if (!f.started) {
        try {
          f.resolve(direct(f.request));
        } catch (error) {
          f.reject(error as Error);
        }
        continue;
      }
      // A pipe told closed already stays so; an exit told already keeps its code.
      for (const fd of [1, 2] as const) if (f.pipes[fd]) close(id, f, fd);
      if (!f.exited) f.ended(null, null);
    }
    following.clear();
  };

  return {
    launch: (request) => {
      if (broken) return direct(request);
      return new Promise<LaunchedProcess>((resolve, reject) => {
        const id = next++;
        following.set(id, {
          request,
          resolve,
          reject,
          pipes: { 1: undefined, 2: undefined },
          open: 2,
          exited: false,
          started: false,
          ended() {},
        });
        // As JSON text: a string crosses to the thread for a third of what cloning the request
        // (its whole environment) costs, measured.
        thread.postMessage(JSON.stringify({ type: "spawn", id, ...request }));
      });
    },
    stop: () => thread.terminate(),
  };
}

/**
 * The API on a TCP port, with its connections counted and capped.
 *
 * Why a front: Bun.serve accepts every connection and only shows a request once its head has
 * arrived, so it cannot cap connections nor refuse one before it holds a descriptor; a few
 * thousand idle or half-sent connections then take every descriptor orch has, and runs fail to
 * start with EMFILE. So the port is a plain TCP listener that sees each connection as it is
 * accepted: it refuses those past the budget (a 503 with a JSON body), makes room by closing the
 * oldest connection that has not sent a whole request head nor been answered, and pipes the
 * others to the HTTP server, which listens on a Unix socket in a private folder (0700: no other
 * user can reach it, and nobody bypasses the counting).
 *
 * The front also keeps the time, since it sees every byte both ways (the HTTP server's idle
 * timeout cannot be lifted for one request on a Unix socket, and would cut streams and long
 * polls): a connection must send a whole request head within HEAD_TIMEOUT_MS, and one on which
 * nothing has moved either way for IDLE_TIMEOUT_MS is closed. That is longer than a worker's
 * long poll (60 s) and than the 15 s between a stream's keep-alive comments. A body must arrive
 * within the routes' own deadline (BODY_TIMEOUT_MS, a 408).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket, TCPSocketListener } from "bun";
import type { ConnectionBudget } from "./fd-limit.ts";
import { removeStaleSocketFolders } from "./socket-folders.ts";
import { flush, forward, listenError, refusal } from "./socket-pipe.ts";

/** How long a new connection has to send a whole request head. */
export const HEAD_TIMEOUT_MS = 10_000;

/** How long a connection may carry nothing either way before it is closed. */
export const IDLE_TIMEOUT_MS = 75_000;

/** What a server tells of refused connections (the server's logger). */
export interface ConnectionLog {
  warn(...args: unknown[]): void;
}

/** Where the API listens and within what limits. */
export interface ServeOptions {
  host: string;
  port: number;
  fetch: (req: Request) => Promise<Response>;
  budget: ConnectionBudget;
  log: ConnectionLog;
  /** Defaults HEAD_TIMEOUT_MS and IDLE_TIMEOUT_MS. */
  timeouts?: { headMs?: number; idleMs?: number };
}

const DEFAULT_PORT = 4200;

/** Serve the API on `port` (default 4200, or a free port when 4200 is taken). */
export function listenApi(options: Omit<ServeOptions, "port"> & { port?: number }): ApiListener {
  try {
    return serveApi({ ...options, port: options.port ?? DEFAULT_PORT });
  } catch (error) {
    if ((error as { code?: string }).code === "EADDRINUSE" && options.port === undefined) {
      options.log.warn(`port ${DEFAULT_PORT} is in use; listening on a free port instead`);
      return serveApi({ ...options, port: 0 });
    }
    throw listenError(error, options.host, options.port ?? DEFAULT_PORT);
  }
}

/** The API listening on a port. */
export interface ApiListener {
  port: number;
  /** Connections open now. */
  connections(): number;
  stop(): Promise<void>;
}

interface Connection {
  address: string;
  client: Socket<Connection>;
  upstream?: Socket<undefined>;
  /** The HTTP server closed its side: the client is closed once it has what was sent. */
  serverGone: boolean;
  /** Bytes waiting for the HTTP server (before its socket opens, or while it is full). */
  toServer: Uint8Array[];
  /** Bytes waiting for the client while its socket is full. */
  toClient: Uint8Array[];
  /** Whether the client sent a whole request head, or the server answered anything. */
  engaged: boolean;
  /** The last bytes the client sent before its head ended (a head may span packets). */
  tail: string;
  openedAt: number;
  /** When a byte last went either way. */
  activeAt: number;
  closed: boolean;
}

const HEAD_END = "\r\n\r\n";

/**
 * Serve `fetch` on `host:port` within `budget` (see the file's header). Throws EADDRINUSE
 * as the runtime does when the port is taken.
 */
export function serveApi(options: ServeOptions): ApiListener {
  const { budget, log } = options;
  removeStaleSocketFolders();
  const folder = mkdtempSync(join(tmpdir(), `orch-api-${process.pid}-`));
  const unix = join(folder, "http.sock");
  const all = new Set<Connection>();
  const byAddress = new Map<string, Set<Connection>>();
  const dropped = { evicted: 0, refused: 0 };
  let lastWarning = 0;

  const inner = Bun.serve({
    unix,
    fetch: options.fetch,
    // The front keeps the time (see above); the types leave this out for a Unix socket.
    ...({ idleTimeout: 0 } as object),
    // Bodies are read as streams and refused past their limit by the routes (a 413 with JSON),
    // never by a reset connection.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  });

  function close(c: Connection) {
    if (c.closed) return;
    c.closed = true;
    all.delete(c);
    const mine = byAddress.get(c.address);
    mine?.delete(c);
    if (mine?.size === 0) byAddress.delete(c.address);
    c.upstream?.terminate();
    c.client.terminate();
  }

  /** Close the oldest connection of `among` that has neither sent a request nor been answered. */
  function evict(among: Iterable<Connection>): boolean {
    for (const c of among) {
      if (!c.engaged) {
        close(c);
        dropped.evicted++;
        return true;
      }
    }
    return false;
  }

  /** Say (at most every 10 s) that connections are being closed or refused, and why. */
  function warn(why: string) {
    const now = Date.now();
    if (now - lastWarning < 10_000) return;
    lastWarning = now;
    log.warn(
      `too many API connections (${why}): closing those that sent nothing, refusing the rest (${dropped.evicted} closed and ${dropped.refused} refused so far; ${budget.reserve} of ${budget.limit} file descriptors stay kept for runs)`,
    );
  }

  /** Close a connection of `among` to make room, or count a refusal; false when refused. */
  function makeRoom(among: Iterable<Connection>, why: string): boolean {
    const room = evict(among);
    if (!room) dropped.refused++;
    warn(why);
    return room;
  }

  /** Make room for a connection from `address`; why there is none, or null when there is. */
  function admit(address: string): string | null {
    const mine = byAddress.get(address);
    if (mine && mine.size >= budget.perAddress) {
      const why = `${mine.size} from ${address}, the most one address may hold`;
      if (!makeRoom(mine, why)) return why;
    }
    if (all.size >= budget.total) {
      const why = `${all.size} open, the most orch holds at once`;
      if (!makeRoom(all, why)) return why;
    }
    return null;
  }

  let front: TCPSocketListener<Connection>;
  try {
    front = listenFront();
  } catch (error) {
    void inner.stop(true);
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }

  function listenFront() {
    return Bun.listen<Connection>({
      hostname: options.host,
      port: options.port,
      socket: {
        open(socket) {
          const address = socket.remoteAddress;
          const why = admit(address);
          if (why) {
            socket.end(refusal(`orch has too many open connections (${why}); try again shortly`));
            return;
          }
          const c: Connection = {
            address,
            client: socket,
            toServer: [],
            toClient: [],
            serverGone: false,
            engaged: false,
            tail: "",
            openedAt: Date.now(),
            activeAt: Date.now(),
            closed: false,
          };
          socket.data = c;
          all.add(c);
          const mine = byAddress.get(address) ?? new Set();
          mine.add(c);
          byAddress.set(address, mine);
          const serverGone = () => {
            // What the server sent last still reaches the client before it is closed.
            c.serverGone = true;
            c.upstream = undefined;
            if (flush(c.client, c.toClient)) close(c);
          };
          Bun.connect({
            unix,
            socket: {
              open(upstream) {
                if (c.closed) return void upstream.terminate();
                c.upstream = upstream;
                if (!flush(upstream, c.toServer)) c.client.pause();
              },
              data(upstream, chunk) {
                c.engaged = true;
                c.activeAt = Date.now();
                forward(c.client, c.toClient, chunk, upstream);
              },
              drain(upstream) {
                if (flush(upstream, c.toServer)) c.client.resume();
              },
              end: serverGone,
              close: serverGone,
              error: () => close(c),
            },
          }).catch(() => close(c));
        },
        data(socket, chunk) {
          const c = socket.data;
          if (!c || c.closed) return;
          c.activeAt = Date.now();
          if (!c.engaged) {
            const text = c.tail + Buffer.from(chunk).toString("latin1");
            if (text.includes(HEAD_END)) c.engaged = true;
            else c.tail = text.slice(-3);
          }
          forward(c.upstream, c.toServer, chunk, socket);
        },
        drain(socket) {
          const c = socket.data;
          if (!c || c.closed) return;
          if (!flush(socket, c.toClient)) return;
          if (c.serverGone) close(c);
          else c.upstream?.resume();
        },
        end(socket) {
          if (socket.data) close(socket.data);
        },
        close(socket) {
          if (socket.data) close(socket.data);
        },
        error(socket) {
          if (socket.data) close(socket.data);
        },
      },
    });
  }

  const headMs = options.timeouts?.headMs ?? HEAD_TIMEOUT_MS;
  const idleMs = options.timeouts?.idleMs ?? IDLE_TIMEOUT_MS;
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const c of [...all]) {
        if ((!c.engaged && now - c.openedAt > headMs) || now - c.activeAt > idleMs) close(c);
      }
    },
    Math.max(50, Math.min(1000, headMs / 4)),
  );

  return {
    port: front.port,
    connections: () => all.size,
    async stop() {
      clearInterval(sweep);
      front.stop(true);
      for (const c of [...all]) close(c);
      await inner.stop(true);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

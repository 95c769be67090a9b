/** Moving bytes between two sockets with backpressure, and the answers a front sends itself. */
import { OrchError } from "../core/index.ts";

/** One end of a pipe: what forwarding needs of a socket. */
export interface End {
  write(chunk: Uint8Array): number;
  pause(): void;
  resume(): void;
}

/** Write what is waiting on `to`; true when all of it is gone. */
export function flush(to: End, queue: Uint8Array[]): boolean {
  while (queue.length) {
    const chunk = queue[0]!;
    const written = to.write(chunk);
    if (written < 0) return false;
    if (written < chunk.byteLength) {
      queue[0] = chunk.subarray(written);
      return false;
    }
    queue.shift();
  }
  return true;
}

/** Send `chunk` on, or queue it and stop reading `from` until `to` drains. */
export function forward(to: End | undefined, queue: Uint8Array[], chunk: Uint8Array, from: End) {
  // Nothing waiting: write straight through, and copy only what the socket did not take (the
  // runtime reuses `chunk` once this returns). Every request and answer passes here.
  if (to && queue.length === 0) {
    const written = to.write(chunk);
    if (written === chunk.byteLength) return;
    queue.push(chunk.slice(Math.max(0, written)));
    from.pause();
    return;
  }
  queue.push(new Uint8Array(chunk));
  if (!to) return;
  if (!flush(to, queue)) from.pause();
}

/** A 503 with a JSON body, written before the request is read: the answer to a refused connection. */
export function refusal(message: string): string {
  const body = JSON.stringify({ error: { code: "E_BUSY", message } });
  return `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** A listen failure in words: the port in use, or why the address cannot be bound. */
export function listenError(error: unknown, host: string, port: number): OrchError {
  const inUse = (error as { code?: string }).code === "EADDRINUSE";
  return new OrchError(
    "E_BAD_INPUT",
    inUse
      ? `port ${port} on ${host} is already in use; pick another with --port, or --port 0 for any free one`
      : `cannot listen on ${host}:${port}: ${(error as Error).message}`,
  );
}

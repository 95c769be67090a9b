import { OrchError } from "../core/errors.ts";
import type { SseEvent } from "./read-sse.ts";

/** A stream the server may close before it is done, and how to take it up again. */
export interface ResumableStream<M extends SseEvent> {
  /** Open the stream after a position (undefined: from where a first open starts). */
  open: (after: number | undefined, onOpen: () => void) => AsyncGenerator<M>;
  /** Where the stream starts (a line id, an event id), if anywhere. */
  after?: number;
  /** The position a message moves the stream to (a log line's id, an event's id), if any. */
  position: (message: M) => number | undefined;
  /** Whether a message is the stream's last (a followed log's `end`); without, it never ends. */
  isLast?: (message: M) => boolean;
  /** Called once, when the server first accepts the stream. */
  onOpen?: () => void;
  /** Stops following (the generator returns). */
  signal?: AbortSignal;
  /** What is followed, for the error when orch keeps closing it: `the logs of run 3f2a…`. */
  what: string;
}

/** Fruitless reconnects in a row (nothing received, open under a second) before giving up. */
const MAX_FRUITLESS = 5;
const FIRST_WAIT_MS = 100;

/**
 * Every message of a followed stream, exactly once and in order, whatever closes it on the way.
 * The server lets a client go when it falls too far behind, and a connection can drop: a stream
 * that ends before its last message (or breaks off) is opened again after the last position
 * received, so nothing is lost or repeated. When orch no longer answers, the reconnect's
 * E_NO_SERVER is thrown: the caller says orch is gone, and claims nothing it did not see.
 * The one place that follows a stream: the CLI's watch and `logs -f`, `events stream`, the
 * monitor all read through it.
 */
export async function* followStream<M extends SseEvent>(
  stream: ResumableStream<M>,
): AsyncGenerator<M> {
  let after = stream.after;
  let opened = false;
  let fruitless = 0;
  const onOpen = () => {
    if (opened) return;
    opened = true;
    stream.onOpen?.();
  };
  for (;;) {
    const since = Date.now();
    let received = false;
    try {
      for await (const message of stream.open(after, onOpen)) {
        received = true;
        const at = stream.position(message);
        if (at !== undefined) after = at;
        yield message;
        if (stream.isLast?.(message)) return;
      }
    } catch (error) {
      // An answer orch gave (a 404, a 401) and a reconnect nobody answered end the follow; a
      // connection that broke off mid-stream is opened again, like one the server closed.
      if (stream.signal?.aborted || error instanceof OrchError) throw error;
    }
    if (stream.signal?.aborted) return;
    if (received || Date.now() - since > 1000) fruitless = 0;
    else if (++fruitless >= MAX_FRUITLESS) {
      throw new OrchError(
        "E_INTERNAL",
        `orch closed the stream of ${stream.what} ${MAX_FRUITLESS} times in a row without sending anything; its log (orch up's output) may say why`,
      );
    }
    if (fruitless) await wait(FIRST_WAIT_MS * 2 ** (fruitless - 1), stream.signal);
  }
}

/** Resolve after `ms`, or at once when `signal` aborts. */
function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

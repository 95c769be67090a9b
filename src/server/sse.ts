/** Messages a slow client may have waiting before its stream is closed. */
const MAX_QUEUED = 20_000;

/** One server-sent event. */
export interface SseMessage {
  event: string;
  data: unknown;
  id?: number | string;
}

/** Encode a server-sent event. */
export function encodeSse(message: SseMessage): string {
  const id = message.id === undefined ? "" : `id: ${message.id}\n`;
  return `${id}event: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`;
}

const encoder = new TextEncoder();

/**
 * A message encoded once, to be sent as it is to many streams: the live stream's fan-out encodes
 * each event once, not once per client following it.
 */
export function encodeSseBytes(message: SseMessage): Uint8Array {
  return encoder.encode(encodeSse(message));
}

/** Several messages as one chunk: a page of a backlog goes out in one write. */
export function encodeSsePage(messages: SseMessage[]): Uint8Array {
  let text = "";
  for (const m of messages) text += encodeSse(m);
  return encoder.encode(text);
}

/** How often a stream with nothing to say sends a comment; well under the idle timeout. */
export const KEEP_ALIVE_MS = 15_000;

/** What a stream's producer holds: the stream's end, and its pace. */
export interface SseStream {
  /**
   * Send a message now. A client that stopped reading (a suspended terminal, a paused pager)
   * is let go once MAX_QUEUED messages wait for it, rather than buffered without end; it
   * resumes where it was with `after`.
   */
  send(message: SseMessage | Uint8Array): void;
  /** End the stream. */
  close(): void;
  /**
   * Wait until the client has taken what was sent (the socket drained it), giving the event
   * loop a turn in any case; false once the stream is closed. A backlog (a log's stored lines,
   * the events a client missed) is sent a page at a time, each after `room()`: it never waits
   * in memory, nor holds the server's thread, however large it is and however slow the client.
   */
  room(): Promise<boolean>;
  /** Whether the stream is still open. */
  readonly open: boolean;
}

/**
 * A text/event-stream response. `start` gets the stream and returns its cleanup; the stream ends
 * when the client goes away or `close` is called. A comment every `keepAliveMs` keeps the
 * server's idle timeout and proxies from closing a quiet stream.
 */
export function sseResponse(
  start: (stream: SseStream) => () => void,
  keepAliveMs = KEEP_ALIVE_MS,
): Response {
  let cleanup = () => {};
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let open = true;
  /** Producers waiting for the client to take what was sent (woken by `pull`, or the end). */
  let waiting: (() => void)[] = [];
  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const w of woken) w();
  };
  const end = () => {
    if (!open) return;
    open = false;
    clearInterval(keepAlive);
    wake();
    cleanup();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const close = () => {
        if (!open) return;
        end();
        try {
          controller.close();
        } catch {}
      };
      const send = (message: SseMessage | Uint8Array) => {
        if (!open) return;
        if ((controller.desiredSize ?? 0) < -MAX_QUEUED) {
          close();
          return;
        }
        try {
          controller.enqueue(
            message instanceof Uint8Array ? message : encoder.encode(encodeSse(message)),
          );
        } catch {
          close();
        }
      };
      const room = async (): Promise<boolean> => {
        // A turn of the event loop first: other requests are served between two pages.
        await new Promise((resolve) => setImmediate(resolve));
        // The runtime pulls once the socket has taken the chunks queued before.
        while (open && (controller.desiredSize ?? 0) <= 0) {
          await new Promise<void>((resolve) => waiting.push(resolve));
        }
        return open;
      };
      keepAlive = setInterval(() => {
        if (open) controller.enqueue(encoder.encode(": keep-alive\n\n"));
      }, keepAliveMs);
      controller.enqueue(encoder.encode(": orch\n\n"));
      const stop = start({
        send,
        close,
        room,
        get open() {
          return open;
        },
      });
      // A stream its producer closed at once has been cleaned up already: this is its cleanup.
      if (open) cleanup = stop;
      else stop();
    },
    pull() {
      wake();
    },
    cancel() {
      end();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    },
  });
}

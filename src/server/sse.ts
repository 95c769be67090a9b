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

/** How often a stream with nothing to say sends a comment; well under the idle timeout. */
export const KEEP_ALIVE_MS = 15_000;

/**
 * A text/event-stream response. `start` gets a `send` and returns its cleanup; the stream ends
 * when the client goes away or `close` is called. A comment every `keepAliveMs` keeps the
 * server's idle timeout and proxies from closing a quiet stream.
 */
export function sseResponse(
  start: (send: (message: SseMessage | Uint8Array) => void, close: () => void) => () => void,
  keepAliveMs = KEEP_ALIVE_MS,
): Response {
  let cleanup = () => {};
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const close = () => {
        if (!open) return;
        open = false;
        clearInterval(keepAlive);
        cleanup();
        try {
          controller.close();
        } catch {}
      };
      const send = (message: SseMessage | Uint8Array) => {
        if (!open) return;
        // A client that stopped reading (a suspended terminal, a paused pager) is let go rather
        // than buffered without end; it resumes where it was with `after`.
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
      keepAlive = setInterval(() => {
        if (open) controller.enqueue(encoder.encode(": keep-alive\n\n"));
      }, keepAliveMs);
      controller.enqueue(encoder.encode(": orch\n\n"));
      cleanup = start(send, close);
    },
    cancel() {
      clearInterval(keepAlive);
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    },
  });
}

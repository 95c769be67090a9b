/**
 * A browser's event streams (the live events, a run's logs), each tied to the session that
 * opened it: when the session ends (a logout, or every session ended), its streams end too, so
 * nothing keeps reading with a session that no longer works.
 */
import type { WebSession, WebSessions } from "./web-sessions.ts";

/** What wraps each response to a session's request: an event stream ends with its session. */
export function createSessionStreams(
  sessions: WebSessions,
): (session: WebSession, req: Request, res: Response) => Response {
  /** Each open stream of a session (by nonce), to end when the session ends. */
  const streams = new Map<string, Set<() => void>>();
  sessions.onEnded((nonce) => {
    const ending = nonce === null ? [...streams.values()] : [streams.get(nonce) ?? new Set()];
    for (const set of ending) for (const end of [...set]) end();
  });

  /**
   * A session's event stream, ended when the session ends: a logout (or every session ended)
   * leaves nothing of it reading, not even a stream it opened before.
   */
  function endsWithSession(session: WebSession, req: Request, res: Response): Response {
    if (!res.body || !res.headers.get("content-type")?.startsWith("text/event-stream")) return res;
    const reader = res.body.getReader();
    const open = streams.get(session.nonce) ?? new Set();
    streams.set(session.nonce, open);
    let end = () => {};
    const forget = () => {
      open.delete(end);
      if (!open.size) streams.delete(session.nonce);
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        end = () => {
          forget();
          void reader.cancel();
          try {
            controller.close();
          } catch {}
        };
        open.add(end);
      },
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          forget();
          controller.close();
        } else controller.enqueue(value);
      },
      cancel() {
        forget();
        return reader.cancel();
      },
    });
    // Ended while the API was answering (a logout in between): its stream ends at once.
    if (!sessions.fromCookies(req.headers.get("cookie"))) end();
    return new Response(body, { status: res.status, headers: res.headers });
  }
  return endsWithSession;
}

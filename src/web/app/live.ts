/**
 * The page's one link to the server's event stream, shared by every page. As the terminal
 * monitor does: read the newest event id, open the stream after it, and have pages load their
 * data once it is open; a gap in the event ids, a `reset`, or a lost stream starts over (pages
 * load again), so a page never shows what the server no longer has nor guesses what it missed.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { EventJson } from "../../core/index.ts";
import { ApiError, get, getNow } from "./api.ts";

/** Whether the page follows the server live. */
export type LiveStatus = "connecting" | "online" | "offline";

/** What a page follows: events by name prefix, and when to load everything again. */
export interface LiveSubscription {
  /** Event name prefixes (`flow-run.`, `deployment.`); empty: every event. */
  prefixes: string[];
  onEvent?: (event: EventJson) => void;
  /** The stream (re)opened: load the data afresh. */
  onReload: () => void;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

const subscriptions = new Set<LiveSubscription>();
const statusListeners = new Set<(status: LiveStatus) => void>();
let status: LiveStatus = "connecting";
let source: EventSource | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let delay = RETRY_MIN_MS;
let opening = false;

function setStatus(next: LiveStatus): void {
  if (status === next) return;
  status = next;
  for (const listener of statusListeners) listener(next);
}

const wanted = (s: LiveSubscription, e: EventJson) =>
  !s.prefixes.length || s.prefixes.some((p) => e.name.startsWith(p));

function retry(): void {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => void open(), delay);
  delay = Math.min(delay * 2, RETRY_MAX_MS);
}

function close(): void {
  source?.close();
  source = null;
}

async function open(): Promise<void> {
  if (source || opening) return;
  opening = true;
  setStatus(status === "online" ? "connecting" : status);
  let last: number;
  try {
    last = (await get<EventJson[]>("/api/events?limit=1"))[0]?.id ?? 0;
  } catch (error) {
    opening = false;
    setStatus("offline");
    // Logged out: the login screen takes over; nothing to follow until a new session.
    if (error instanceof ApiError && error.status === 401) return;
    return retry();
  }
  opening = false;
  const es = new EventSource(`/api/events/stream?after=${last}`);
  source = es;
  const startOver = () => {
    if (source !== es) return;
    close();
    void open();
  };
  es.onopen = () => {
    if (source !== es) return;
    delay = RETRY_MIN_MS;
    setStatus("online");
    for (const s of [...subscriptions]) s.onReload();
  };
  es.addEventListener("event", (message) => {
    if (source !== es) return;
    const event = JSON.parse((message as MessageEvent<string>).data) as EventJson;
    // Missed events: nobody can tell what changed, so everything is loaded again.
    if (event.id !== last + 1) return startOver();
    last = event.id;
    // Runs, lines or events deleted: what every page shows is loaded again.
    if (event.name === "project.pruned") return startOver();
    for (const s of [...subscriptions]) if (wanted(s, event)) s.onEvent?.(event);
  });
  es.addEventListener("reset", startOver);
  es.onerror = () => {
    if (source !== es) return;
    close();
    setStatus("offline");
    retry();
  };
}

/** Whether the stream is open now (a subscription then loads at once, from `onReload`). */
export function isLive(): boolean {
  return status === "online";
}

/** Follow the server; returns the unsubscribe. The stream opens with the first subscription. */
export function subscribe(subscription: LiveSubscription): () => void {
  subscriptions.add(subscription);
  if (status === "online") subscription.onReload();
  else void open();
  return () => subscriptions.delete(subscription);
}

/** Start following again at once (after a login). */
export function reconnect(): void {
  close();
  clearTimeout(retryTimer);
  delay = RETRY_MIN_MS;
  void open();
}

/** Stop following (logged out): nothing is open until reconnect. */
export function disconnect(): void {
  close();
  clearTimeout(retryTimer);
  setStatus("offline");
}

/** The stream's status, as it changes. */
export function useLiveStatus(): LiveStatus {
  const [now, setNow] = useState(status);
  useEffect(() => {
    statusListeners.add(setNow);
    setNow(status);
    return () => void statusListeners.delete(setNow);
  }, []);
  return now;
}

/** What a page shows: the latest answer of `load`, and the error of the latest attempt. */
export interface LiveData<T> {
  data: T | undefined;
  error: ApiError | null;
  /** Load again now (after a change the page made itself). */
  reload: () => void;
}

/** What live data follows. */
export interface LiveDataOptions {
  /** Event name prefixes that may change it (`flow-run.`); empty: every event. */
  prefixes: string[];
  /** What is loaded (a filter's value): a new key loads at once. */
  key?: string;
  /** Events within this window are one reload (default 100 ms). */
  batchMs?: number;
  /** Only events this accepts reload (say, one deployment's runs). */
  filter?: (event: EventJson) => boolean;
  /**
   * The API path `load` reads: when its answer is in the page already (the server's, or the boot
   * script's), it is the first value, drawn at once.
   */
  path?: string;
}

/**
 * Data that follows the server: `load` runs when the stream opens and again (batched) after
 * each event it follows; only the newest answer is shown.
 */
export function useLiveData<T>(load: () => Promise<T>, options: LiveDataOptions): LiveData<T> {
  const { prefixes, key = "", batchMs = 100 } = options;
  const filterRef = useRef(options.filter);
  filterRef.current = options.filter;
  // The answer is kept with the key it was loaded for: after a filter changes, the answer for the
  // old filter is not shown as if it were the new one's.
  const [held, setHeld] = useState<{ key: string; value: T } | undefined>(() => {
    const given = options.path ? getNow<T>(options.path) : undefined;
    return given && { key, value: given.body };
  });
  const given = useRef(held !== undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const run = useRef<() => void>(() => {});
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what is loaded (prefixes and batchMs are fixed per page)
  useEffect(() => {
    let seq = 0;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setError(null);
    const now = () => {
      const mine = ++seq;
      loadRef.current().then(
        (answer) => {
          if (!alive || mine !== seq) return;
          setHeld({ key, value: answer });
          setError(null);
        },
        (failure: unknown) => {
          if (!alive || mine !== seq) return;
          setError(
            failure instanceof ApiError
              ? failure
              : new ApiError(0, "E_INTERNAL", String((failure as Error)?.message ?? failure)),
          );
        },
      );
    };
    run.current = now;
    const later = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        now();
      }, batchMs);
    };
    const onEvent = (e: EventJson) => {
      if (!filterRef.current || filterRef.current(e)) later();
    };
    // Asked at once, not only once the stream is open (two round trips later): the page shows
    // it soon, and the stream's opening reads it again in case something changed in between.
    // An answer the page came with is shown already.
    if (status !== "online" && !given.current) now();
    given.current = false;
    const unsubscribe = subscribe({ prefixes, onEvent, onReload: now });
    return () => {
      alive = false;
      clearTimeout(timer);
      unsubscribe();
    };
  }, [key]);
  return {
    data: held?.key === key ? held.value : undefined,
    error,
    reload: () => run.current(),
  };
}

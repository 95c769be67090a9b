/** @jsxImportSource preact */
/**
 * A run's logs, live: the lines so far, then new ones as the run writes them (the API's follow
 * stream, resumed after the last line seen if it drops), in a windowed list. Search marks and
 * keeps matching lines, a level filter keeps that level and above, and "follow" keeps the
 * newest line in view until the reader scrolls up.
 */
import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { LogLineJson } from "../../../core/index.ts";
import { LOG_LEVELS, renderFields } from "../../../core/log-record.ts";
import { get, getNow } from "../api.ts";
import { runLogsPath } from "../first-data.ts";
import { VirtualList } from "./VirtualList.tsx";

const ROW = 20;
const MAX_HEIGHT = 420;
/** Lines a page holds at most: beyond, the oldest go (the CLI still has them all). */
const MAX_LINES = 200_000;

const rank = (level: string | undefined) =>
  Math.max(0, LOG_LEVELS.indexOf((level ?? "info") as (typeof LOG_LEVELS)[number]));

/** `text` with every (case-insensitive) occurrence of `term` marked. */
function marked(text: string, term: string) {
  if (!term) return text;
  const parts: (string | preact.JSX.Element)[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, from)) {
    parts.push(text.slice(from, at), <mark key={at}>{text.slice(at, at + term.length)}</mark>);
    from = at + term.length;
  }
  parts.push(text.slice(from));
  return parts;
}

/** The time of day of a line, with milliseconds. */
const clock = (iso: string) => {
  const d = new Date(iso);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
};

/**
 * The log lines of run `runId`, following it until it ends. `waiting`: the run writes nothing
 * now (planned, or paused): its lines are shown, and no stream is held open for it (a browser
 * has six connections to a server, shared by every tab) until it runs again.
 */
export function LogView({ runId, waiting = false }: { runId: string; waiting?: boolean }) {
  // The boot script's answer, when it is in already: the first frame shows the lines.
  const first = useRef<LogLineJson[] | null | undefined>(undefined);
  if (first.current === undefined) {
    first.current = getNow<LogLineJson[]>(runLogsPath(runId))?.body.slice(-MAX_LINES) ?? null;
  }
  const lines = useRef<LogLineJson[]>(first.current ?? []);
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState<"loading" | "live" | "ended" | "retrying" | "waiting">(
    "loading",
  );
  /** The run whose lines `lines` holds: a change of `waiting` alone keeps them. */
  const loadedFor = useRef<string | null>(null);
  const [search, setSearch] = useState("");
  const [level, setLevel] = useState("debug");
  const [follow, setFollow] = useState(true);

  // A layout effect: the lines are asked for as the view is first drawn, not a frame later.
  useLayoutEffect(() => {
    const early = first.current;
    first.current = null;
    const fresh = loadedFor.current !== runId;
    loadedFor.current = runId;
    if (!early && fresh) {
      lines.current = [];
      setVersion((v) => v + 1);
    }
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let frame = 0;
    let ended = false;
    const stop = () => {
      ended = true;
      source?.close();
      clearTimeout(retry);
      cancelAnimationFrame(frame);
    };
    // Many lines arrive at once: the list is drawn again once per frame, not per line.
    const changed = () => {
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    const open = () => {
      const after = lines.current.at(-1)?.id ?? 0;
      const es = new EventSource(
        `/api/runs/${encodeURIComponent(runId)}/logs?follow=1&after=${after}`,
      );
      source = es;
      es.onopen = () => setStatus("live");
      es.addEventListener("log", (m) => {
        const line = JSON.parse((m as MessageEvent<string>).data) as LogLineJson;
        const held = lines.current;
        if (held.length && line.id <= held.at(-1)!.id) return;
        held.push(line);
        if (held.length > MAX_LINES) held.splice(0, held.length - MAX_LINES);
        changed();
      });
      es.addEventListener("end", () => {
        ended = true;
        es.close();
        setStatus("ended");
      });
      es.onerror = () => {
        es.close();
        if (ended) return;
        // The stream dropped (server restart, network): resume after the last line seen.
        setStatus("retrying");
        retry = setTimeout(open, 1000);
      };
    };
    // Followed while the run may write; a waiting run's page holds no stream.
    const start = () => (waiting ? setStatus("waiting") : open());
    // The lines so far come in one answer (the boot script may have asked for it already, so
    // the page's first frame has them), then the stream follows after the last of them.
    if (early || !fresh) {
      start();
      return stop;
    }
    get<LogLineJson[]>(runLogsPath(runId)).then(
      (first) => {
        if (ended) return;
        if (first.length) {
          lines.current = first.slice(-MAX_LINES);
          setVersion((v) => v + 1);
        }
        start();
      },
      () => {
        if (!ended) start();
      },
    );
    return stop;
  }, [runId, waiting]);

  const term = search.toLowerCase();
  const min = rank(level);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` says the lines changed
  const shown = useMemo(
    () =>
      lines.current.filter(
        (l) => rank(l.level) >= min && (!term || l.line.toLowerCase().includes(term)),
      ),
    [version, term, min],
  );
  const renderRow = (i: number) => {
    const l = shown[i]!;
    return (
      <div class={`log-line lvl-${l.level ?? "info"} ${l.stream}`} title={l.line}>
        <span class="at">{clock(l.at)}</span>
        <span class="lvl">{l.level ?? ""}</span>
        <span class="text">{marked(l.line, term)}</span>
        {l.fields && Object.keys(l.fields).length > 0 && (
          // The record's fields, as the CLI shows them: key=value after the line.
          <span class="fields muted" data-testid="log-fields">
            {` ${renderFields(l.fields)}`}
          </span>
        )}
      </div>
    );
  };
  return (
    <div data-testid="log-view" data-status={status}>
      <div class="log-tools">
        <input
          type="search"
          placeholder="Search the logs"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
          data-testid="log-search"
        />
        <select
          value={level}
          onChange={(e) => setLevel(e.currentTarget.value)}
          data-testid="log-level"
        >
          {LOG_LEVELS.map((l) => (
            <option key={l} value={l}>
              {l === "debug" ? "All levels" : `${l} and above`}
            </option>
          ))}
        </select>
        <label>
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => setFollow(e.currentTarget.checked)}
            data-testid="log-follow"
          />{" "}
          Follow
        </label>
        <span class="muted" data-testid="log-count">
          {term || min
            ? `${shown.length} of ${lines.current.length} lines`
            : `${lines.current.length} lines`}
          {status === "live"
            ? " · live"
            : status === "retrying"
              ? " · reconnecting"
              : status === "waiting"
                ? " · waiting for the run"
                : ""}
        </span>
      </div>
      {shown.length ? (
        <VirtualList
          count={shown.length}
          rowHeight={ROW}
          renderRow={renderRow}
          follow={follow}
          onFollowChange={setFollow}
          // A few lines take a few lines' room; many scroll in a box of 20.
          height={Math.min(MAX_HEIGHT, shown.length * ROW + 2)}
          class="log-list"
          testId="log-lines"
        />
      ) : (
        <p class="muted">
          {status === "loading"
            ? "Loading…"
            : lines.current.length
              ? "No line matches."
              : "No output yet."}
        </p>
      )}
    </div>
  );
}

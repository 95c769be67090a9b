/** @jsxImportSource preact */
/**
 * A run's state history: a bar of how long it spent in each state, then every transition with
 * its time and message.
 */
import type { StateJson } from "../../../core/index.ts";
import { formatDuration, formatTime } from "./format.ts";
import { styleRef } from "./style-ref.ts";

/** The colour class of a state entry: its name where it tells more (Late, AwaitingRetry). */
const colour = (s: { type: string; name: string }) =>
  `fg-${(/^(late|awaitingretry|retrying)$/i.test(s.name) ? s.name : s.type).toLowerCase()}`;

/** The history of a run's states, as a bar and a list. */
export function StateTimeline({
  states,
  ended,
  now,
}: {
  states: readonly StateJson[];
  ended: boolean;
  now: number;
}) {
  if (!states.length) return <p class="muted">No states yet.</p>;
  const times = states.map((s) => Date.parse(s.at));
  // The last state lasts until now while the run goes on; a final state is a thin mark.
  const spans = states.map((_, i) => {
    const end = times[i + 1] ?? (ended ? times[i]! : now);
    return Math.max(0, end - times[i]!);
  });
  const total = spans.reduce((a, b) => a + b, 0) || 1;
  return (
    <div data-testid="state-timeline">
      <div class="timeline-bar">
        {states.map((s, i) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: a history only grows at its end
            key={i}
            class={colour(s)}
            ref={styleRef({ "flex-grow": String(spans[i]! / total), "flex-basis": "0" })}
            title={`${s.name}: ${formatDuration(spans[i]!)}`}
          />
        ))}
      </div>
      <ol class="timeline-list">
        {states.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a history only grows at its end
          <li key={i} data-testid="state-entry" data-state={s.type}>
            <span class="mono muted">{formatTime(s.at)}</span>
            <span class={colour(s)}>
              <b>{s.name}</b>
              {i + 1 < states.length || !ended ? (
                <span class="muted"> · {formatDuration(spans[i]!)}</span>
              ) : null}
            </span>
            <span>{s.message}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

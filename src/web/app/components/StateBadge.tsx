/** @jsxImportSource preact */

/** The colour class of a run state (the same colours everywhere: badges, dots, charts). */
export function stateClass(state: string): string {
  return `state-${state.toLowerCase()}`;
}

/**
 * A run's state as a coloured badge: "Late", "AwaitingRetry" or the state itself (`class` adds
 * the badge's place in its parent, e.g. a row's column).
 */
export function StateBadge({
  state,
  name,
  class: place,
}: {
  state: string;
  name?: string | null;
  class?: string;
}) {
  const label = name && name.toUpperCase() !== state ? name : state;
  return <span class={`badge ${stateClass(state)}${place ? ` ${place}` : ""}`}>{label}</span>;
}

/** A run's state as a dot, with the state in its title (for rows of recent runs). */
export function StateDot({ state, title, href }: { state: string; title?: string; href?: string }) {
  const dot = <span class={`dot ${stateClass(state)}`} title={title ?? state} />;
  return href ? <a href={href}>{dot}</a> : dot;
}

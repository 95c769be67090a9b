const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/;

/**
 * The longest duration orch takes: 100 years. Nothing it waits for is longer, and a time that
 * far ahead (a retry due in 1e20 seconds) is past what a date can hold.
 */
export const MAX_DURATION_MS = 100 * 365.25 * 86_400_000;

/**
 * Parse a duration such as `30s`, `15m`, `1h30m` or `500ms` to milliseconds. A bare number is
 * seconds. Returns undefined when the text is not a duration, or one over MAX_DURATION_MS.
 */
export function parseDuration(text: string | number): number | undefined {
  const ms = durationMs(text);
  return ms !== undefined && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** Whether `text` is a duration, but one over MAX_DURATION_MS (for a message that says so). */
export function isOverMaxDuration(text: string | number): boolean {
  const ms = durationMs(text);
  return ms !== undefined && ms > MAX_DURATION_MS;
}

function durationMs(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  let rest = text.trim();
  if (/^\d+(\.\d+)?$/.test(rest)) return Number(rest) * 1000;
  if (!rest) return undefined;
  let total = 0;
  while (rest) {
    const m = DURATION.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Render milliseconds in the shortest exact form: 5400000 -> `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join("");
}

/** Times and durations as the pages show them. */

/** "3s", "4m 12s", "2h 5m", "3d 4h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** "in 5m", "3h ago", "just now", from an ISO time. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const diff = Date.parse(iso) - now;
  if (Math.abs(diff) < 1500) return "just now";
  const text = formatDuration(Math.abs(diff)).split(" ")[0]!;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** A local date and time with seconds: "2026-11-30 14:05:09". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The first 8 characters of a run's id, as the CLI shows it. */
export const shortId = (id: string) => id.slice(0, 8);

/**
 * A count with thousands separators: "10,000". By hand, since the first toLocaleString of a
 * page sets up the browser's number formatting, which costs tens of milliseconds of first paint.
 */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

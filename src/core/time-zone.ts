import { closestZone } from "./zone-guess.ts";

/** Names already resolved: a large definition file names the same few zones many times. */
const resolved = new Map<string, string | null>();

/**
 * The canonical name of a time zone this runtime knows (`america/new_york`: `America/New_York`,
 * `utc`: `UTC`), or undefined for a name it does not know. Every zone orch takes (a schedule's
 * `timezone`, `orch run --tz`) goes through here, so a zone is stored, compared and shown in one
 * spelling whatever case it was written in.
 */
export function canonicalZone(name: string): string | undefined {
  let zone = resolved.get(name);
  if (zone === undefined) {
    try {
      zone = new Intl.DateTimeFormat(undefined, { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      zone = null;
    }
    if (resolved.size < 1000) resolved.set(name, zone);
  }
  return zone ?? undefined;
}

/** What to say after a refused zone: `(did you mean "Europe/Berlin"?)`, or what a zone looks like. */
export function zoneHint(name: string): string {
  const guess = closestZone(name);
  return guess ? `(did you mean "${guess}"?)` : '(like "Europe/Berlin" or "UTC")';
}

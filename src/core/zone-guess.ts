import { closest } from "./suggest.ts";

/**
 * The IANA time zone a mistyped name most likely meant (`Europe/Berlim`: `Europe/Berlin`), or
 * undefined. Read from the runtime's own list, only when a name was refused.
 */
export function closestZone(name: string): string | undefined {
  return closest(name, [...Intl.supportedValuesOf("timeZone"), "UTC"]);
}

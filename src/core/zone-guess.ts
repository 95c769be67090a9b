import { closest } from "./suggest.ts";

/** `UTC+1`, `GMT-05:00`, `+02`: a fixed offset written as a zone. */
const OFFSET = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?00)?$/i;

/**
 * The IANA time zone a mistyped name most likely meant (`Europe/Berlim`: `Europe/Berlin`; a city
 * alone, `Berlin`: `Europe/Berlin`; an offset, `UTC+1`: `Etc/GMT-1`, whose sign is POSIX's,
 * reversed), or undefined. Read from the runtime's own list, only when a name was refused.
 */
export function closestZone(name: string): string | undefined {
  const offset = OFFSET.exec(name.trim());
  if (offset) {
    const hours = Number(offset[2]);
    if (hours === 0) return "UTC";
    if (hours <= 14) return `Etc/GMT${offset[1] === "+" ? "-" : "+"}${hours}`;
    return undefined;
  }
  const zones = [...Intl.supportedValuesOf("timeZone"), "UTC"];
  const city = name.trim().toLowerCase().replace(/ /g, "_");
  const byCity = zones.find((z) => z.toLowerCase().split("/").at(-1) === city);
  return byCity ?? closest(name, zones);
}

import { parseDuration } from "../core/duration.ts";
import { OrchError } from "../core/errors.ts";

/**
 * A time option (`--since`, `--until`) as an ISO time: a duration back from now ("1h", "30m")
 * or a time ("2026-11-30T06:00:00Z", "2026-11-30"). One reading for every command that takes one.
 */
export function timeArg(text: string | undefined, option: string): string | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(Date.now() - ms).toISOString();
  const at = Date.parse(text);
  if (Number.isNaN(at)) {
    throw new OrchError(
      "E_BAD_INPUT",
      `${option} ${JSON.stringify(text)} is neither a duration back from now ("1h", "30m") nor a time ("2026-11-30T06:00:00Z")`,
    );
  }
  return new Date(at).toISOString();
}

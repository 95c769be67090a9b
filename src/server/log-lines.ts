import type { Logger } from "./server-options.ts";

/**
 * Several info lines as one message: through the logger's `infoLines` (each a message of its
 * own, as the monitor shows them), or one text of a line each. Why: a log call costs far more
 * than a line, and a pass that names a thousand deployments or a turn of a hundred runs would
 * hold the server's thread for tens of milliseconds, with every request waiting behind it.
 */
export function logInfoLines(logger: Logger, lines: string[]): void {
  if (!lines.length) return;
  if (logger.infoLines) logger.infoLines(lines);
  else logger.info(lines.join("\n"));
}

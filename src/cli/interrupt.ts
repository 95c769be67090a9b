import { write } from "../core/stdio.ts";

/**
 * Ctrl-C (or SIGTERM) while a command runs a flow here: the first asks the flow to stop (the
 * returned signal aborts), a second leaves at once with 130, as shells expect. `release` puts
 * the signals back as they were.
 */
export function abortOnInterrupt(what: string): { signal: AbortSignal; release(): void } {
  const abort = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    if (++interrupts > 1) process.exit(130);
    write("stderr", `\ncancelling ${what} (Ctrl-C again leaves at once)\n`);
    abort.abort();
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  return {
    signal: abort.signal,
    release() {
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onInterrupt);
    },
  };
}

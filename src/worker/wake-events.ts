/**
 * Events after which a worker may find work it could not take before: a run scheduled, a slot
 * freed (a run ended or was deleted), a run cancelling (a remote worker's claim answers with
 * it), or a deployment or work pool changed (limits, pauses). Both the embedded worker and a
 * remote worker's waiting claim wake on exactly these.
 */
const WAKES =
  /^(flow-run\.(scheduled|completed|failed|crashed|cancelled|cancelling|deleted)|deployment\.|work-pool\.)/;

/** Whether an event may give a worker something to claim or cancel. */
export function wakesWorker(eventName: string): boolean {
  return WAKES.test(eventName);
}

import type { Journaled, ReportJournal } from "./report-journal.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** The part of the outbox that sends what workers here left undelivered. */
interface Resender {
  resend(
    entry: Journaled,
    tried?: (failed?: unknown) => void,
  ): Promise<{ ignored?: string } | null>;
}

/**
 * Queue what workers here left undelivered, each run's reports in the order they were written;
 * resolves once each was tried once (sent, or waiting behind a report of its run that failed),
 * or after `waitMs`. Why not wait until orch has them all, as a worker did: one report orch keeps
 * answering with an error (5xx, or 401/403 that a fixed token may end) would keep the worker from
 * ever taking runs, silently. What is not delivered by then is said, and goes on being sent in
 * the background, in order; the journal keeps it until orch has it.
 */
export async function resendRecovered(
  journal: ReportJournal,
  queue: Resender,
  logger: WorkerLogger,
  waitMs: number,
): Promise<void> {
  const { recovered } = journal;
  if (!recovered.length) return;
  logger.info(
    `sending ${recovered.length} report(s) that a worker here left undelivered when it stopped (${journal.path})`,
  );
  /** The reports not delivered (nor refused) yet, by id: why the last try failed, if it did. */
  const pending = new Map<number, unknown>();
  const tries = recovered.map(
    (entry) =>
      new Promise<void>((tried) => {
        pending.set(entry.id, undefined);
        void queue
          .resend(entry, (failed) => {
            pending.set(entry.id, failed);
            tried();
          })
          .then((recorded) => {
            pending.delete(entry.id);
            tried();
            if (recorded?.ignored) logger.info(`run ${entry.report.runId}: ${recorded.ignored}`);
          });
      }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(tries),
    new Promise((resolve) => {
      timer = setTimeout(resolve, waitMs);
    }),
  ]);
  clearTimeout(timer);
  if (pending.size === 0) return;
  const waiting = recovered.filter((e) => pending.has(e.id));
  const runs = [...new Set(waiting.map((e) => e.report.runId))];
  const why = [...new Set([...pending.values()].filter(Boolean).map((e) => (e as Error).message))];
  logger.warn(
    `${waiting.length} of the ${recovered.length} report(s) a worker here left undelivered are not delivered yet (run(s) ${runs.join(", ")}${why.length ? `; orch answered: ${why.join("; ")}` : `; orch has not answered in ${Math.round(waitMs / 1000)} s`}): this worker takes runs meanwhile and goes on sending them, in order; ${journal.path} keeps them until orch has them`,
  );
}

/** Where a worker reports what goes wrong (the server and the CLI pass their loggers). */
export interface WorkerLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** A logger that says nothing (the default). */
export const quietLogger: WorkerLogger = { info() {}, warn() {}, error() {} };

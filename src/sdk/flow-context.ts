/**
 * Which flow run the code running now belongs to: the process's own run, or a subflow's run
 * that a flow called. Kept per async call chain, so flows called side by side (Promise.all)
 * each see their own run.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** The run a flow's code is running in. */
export interface FlowRunContext {
  /** The run's id; empty for a flow called outside any run (a test, a plain script). */
  readonly runId: string;
  /** The flow's name. */
  readonly flowName: string;
  /** The run of this process (what a pause pauses); itself for the process's own run. */
  readonly root: FlowRunContext;
  /** Pauses met so far in this process (the root's count names pause-1, pause-2, …). */
  pauses: number;
}

const storage = new AsyncLocalStorage<FlowRunContext>();

/** The flow run of the code running now, or undefined outside any flow. */
export function currentFlowRun(): FlowRunContext | undefined {
  return storage.getStore();
}

/** Run `fn` as the code of flow run `runId` (a root run when `parent` is not given). */
export function withFlowRun<T>(
  run: { runId: string; flowName: string },
  parent: FlowRunContext | undefined,
  fn: () => T,
): T {
  const context = { ...run, pauses: 0 } as FlowRunContext;
  (context as { root: FlowRunContext }).root = parent?.root ?? context;
  return storage.run(context, fn);
}

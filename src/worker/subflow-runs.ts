import { isTerminal, OrchError, type SubflowRequest, type SubflowState } from "../core/index.ts";
import {
  createRun,
  getRunOrThrow,
  type RunRow,
  type Store,
  transitionRun,
} from "../store/index.ts";

/**
 * The pool a subflow's run is recorded under: it runs in its parent's process, whose slot it
 * shares, so it must not count against a pool workers claim from (no worker claims this one).
 */
export const SUBFLOW_POOL = "subflow";

/**
 * A flow called a flow: make the subflow's run (parent_id: the caller's), RUNNING at once in
 * its parent's process. Only a running parent may have one.
 */
export function createSubflowRun(store: Store, parentId: string, request: SubflowRequest): RunRow {
  return store.tx(() => {
    const parent = getRunOrThrow(store, parentId);
    if (parent.state_type !== "RUNNING") {
      throw new OrchError(
        "E_CONFLICT",
        `run ${parent.id} is ${parent.state_type}; only a running flow can start a subflow`,
      );
    }
    const child = createRun(store, {
      parentId: parent.id,
      flowName: request.name,
      parameters: request.parameters ?? {},
      tags: [...new Set([...JSON.parse(parent.tags), ...(request.tags ?? [])])] as string[],
      workPool: SUBFLOW_POOL,
      createdBy: "subflow",
      message: `subflow ${request.name} of run ${parent.id.slice(0, 8)}`,
    });
    transitionRun(store, child.id, { type: "PENDING", message: "in its parent's process" });
    const where = parent.pid === null ? "" : ` (pid ${parent.pid})`;
    return transitionRun(store, child.id, {
      type: "RUNNING",
      message: `in the process of run ${parent.id.slice(0, 8)}${where}`,
    }).run;
  });
}

/** A subflow's run reports how it ended (or that it retries), through its parent's process. */
export function reportSubflowState(
  store: Store,
  parentId: string,
  childId: string,
  report: SubflowState,
): RunRow {
  return store.tx(() => {
    const parent = getRunOrThrow(store, parentId);
    const child = getRunOrThrow(store, childId);
    if (child.parent_id !== parent.id) {
      throw new OrchError("E_NOT_FOUND", `run ${child.id} is not a subflow of run ${parent.id}`);
    }
    // Ended already with its parent (a cancel): what its code says afterwards changes nothing.
    if (isTerminal(child.state_type)) return child;
    return transitionRun(store, child.id, {
      type: report.state,
      ...(report.name ? { name: report.name } : {}),
      ...(report.message !== undefined ? { message: report.message } : {}),
    }).run;
  });
}

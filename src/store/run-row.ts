import {
  iso,
  type RunJson,
  type StateName,
  type StateType,
  type TriggeredBy,
} from "../core/index.ts";

/** A flow run as stored. */
export interface RunRow {
  seq: number;
  id: string;
  deployment_id: number | null;
  deployment: string | null;
  version: number | null;
  parent_id: string | null;
  parameters: string;
  tags: string;
  work_pool: string;
  work_queue: string;
  state_type: StateType;
  state_name: StateName;
  state_message: string;
  state_at: number;
  attempt: number;
  retries: number;
  retries_used: number;
  retry_delay_ms: number;
  scheduled_at: number;
  started_at: number | null;
  ended_at: number | null;
  /** Where the runs listings place it (core's runListedAt). */
  listed_at: number;
  exit_code: number | null;
  signal: string | null;
  pid: number | null;
  pid_started: string | null;
  worker_id: string | null;
  idempotency_key: string | null;
  created_by: string;
  result: string | null;
  created_at: number;
  /** For a run a trigger made: JSON list of the deployments whose runs led to it. */
  trigger_chain: string | null;
  /** The backfill that made this run, or null. */
  backfill_id: string | null;
  /** The time this run is for (its slot); null for runs stored before orch kept it. */
  slot_at: number | null;
  /** The flow's name, for a subflow's run (it has no deployment to name it). */
  flow_name: string | null;
  /** While PAUSED: JSON of what the pause asked (`PauseRequest`: key, input schema). */
  pause: string | null;
  /** While PAUSED: when the pause times out (epoch ms), or null for never. */
  paused_until: number | null;
  /** JSON map of each resumed pause's key to its input, read again by the run's next start. */
  resume_inputs: string | null;
  /** Its name, when it has one. */
  name: string | null;
  /** JSON of the options it was triggered with (RunOptions), over its version's. */
  options: string | null;
  /** For a run a trigger started: JSON of TriggeredBy (the trigger, and the event that fired it). */
  triggered_by?: string | null;
}

/** The JSON shape of a stored run. */
export function runToJson(row: RunRow): RunJson {
  return {
    id: row.id,
    name: row.name ?? null,
    deployment: row.deployment,
    state: row.state_type,
    state_name: row.state_name,
    state_message: row.state_message,
    parameters: JSON.parse(row.parameters),
    tags: JSON.parse(row.tags),
    attempt: row.attempt,
    scheduled_at: iso(row.scheduled_at),
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
    exit_code: row.exit_code,
    signal: row.signal,
    worker: row.worker_id,
    version: row.version,
    parent_id: row.parent_id,
    flow_name: row.flow_name,
    work_pool: row.work_pool,
    work_queue: row.work_queue,
    created_by: row.created_by,
    created_at: iso(row.created_at),
    slot_at: iso(runSlotAt(row)),
    backfill_id: row.backfill_id ?? null,
    triggered_by: row.triggered_by ? (JSON.parse(row.triggered_by) as TriggeredBy) : null,
  };
}

/**
 * The time a run is for: its schedule or backfill slot, or when it was first due. What the run
 * gets as ORCH_SCHEDULED_AT and {{ run.scheduled_at }}, so it works on its slot's data.
 */
export function runSlotAt(row: Pick<RunRow, "slot_at" | "scheduled_at">): number {
  return row.slot_at ?? row.scheduled_at;
}

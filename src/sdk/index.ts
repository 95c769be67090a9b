/**
 * The SDK that flow authors import as "orch": `flow()` marks a function as a flow, `task()` a
 * step inside one. Inside the orch executable this module is what `import ... from "orch"` gets.
 * Each concept lives in its own file; this one only names what the SDK exports.
 */
export { type Flow, type FlowOptions, flow, isFlow } from "./flow.ts";
export { getScheduledAt } from "./scheduled-at.ts";
export { getSecret, getVariable } from "./secrets.ts";
export { type Task, type TaskOptions, task } from "./task.ts";

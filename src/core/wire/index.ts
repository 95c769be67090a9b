/**
 * The API's wire shapes, each declared once as a JSON Schema with its TypeScript type derived
 * from it: the server checks bodies and documents responses with the schemas, the store's
 * serialisers and the client use the types.
 */
export * from "./ad-hoc-runs.ts";
export * from "./backfills.ts";
export * from "./bundles.ts";
export * from "./deploy-report.ts";
export * from "./deployment-specs.ts";
export * from "./deployments.ts";
export * from "./events.ts";
export * from "./pauses.ts";
export * from "./pools.ts";
export * from "./problems.ts";
export * from "./results.ts";
export * from "./run-listing.ts";
export * from "./run-logs.ts";
export * from "./run-requests.ts";
export * from "./runs.ts";
export * from "./schema.ts";
export * from "./server.ts";
export * from "./tag-slots.ts";
export * from "./task-reports.ts";
export * from "./task-results.ts";
export * from "./triggers.ts";
export * from "./values.ts";
export * from "./wake.ts";
export * from "./web.ts";
export * from "./worker-protocol.ts";
export * from "./worker-reports.ts";
export * from "./workers.ts";

import Ajv2020 from "ajv/dist/2020.js";
import { expect, expectTypeOf, test } from "vitest";
import type {
  ClaimResponseJson,
  DeploymentDetail,
  DeploymentSpec,
  EventJson,
  LogLineJson,
  RunDetail,
  RunJson,
  StateName,
  StateReportJson,
  StateType,
  WorkerJson,
} from "../../src/core/index.ts";
import * as core from "../../src/core/index.ts";

test("the types derived from the wire schemas are the precise shapes, not unknown", () => {
  // Checked by the typecheck: a mapper that gave up would make these `unknown` or `any`.
  expectTypeOf<RunJson["state"]>().toEqualTypeOf<StateType>();
  expectTypeOf<RunJson["state_name"]>().toEqualTypeOf<StateName>();
  expectTypeOf<RunJson["started_at"]>().toEqualTypeOf<string | null>();
  expectTypeOf<RunDetail["tasks"][number]["cached"]>().toEqualTypeOf<boolean>();
  expectTypeOf<RunDetail["id"]>().toEqualTypeOf<string>();
  expectTypeOf<DeploymentDetail["versions"][number]["version"]>().toEqualTypeOf<number>();
  expectTypeOf<DeploymentSpec["concurrency"]>().toEqualTypeOf<{
    limit: number;
    collision: "enqueue" | "cancel-new";
  } | null>();
  expectTypeOf<DeploymentSpec["flow"]>().toEqualTypeOf<
    { path: string; export: string } | undefined
  >();
  expectTypeOf<ClaimResponseJson["jobs"][number]["spec"]>().toEqualTypeOf<DeploymentSpec>();
  expectTypeOf<StateReportJson["type"]>().toEqualTypeOf<
    "SCHEDULED" | "RUNNING" | "COMPLETED" | "FAILED" | "CRASHED" | "CANCELLED" | "PAUSED"
  >();
  expectTypeOf<LogLineJson["stream"]>().toEqualTypeOf<"stdout" | "stderr" | "orch">();
  expectTypeOf<EventJson["payload"]>().toEqualTypeOf<{ [key: string]: unknown }>();
  expectTypeOf<WorkerJson["status"]>().toEqualTypeOf<"online" | "offline">();
});

test("every wire schema is valid JSON Schema, and its title names one shape", () => {
  const ajv = new Ajv2020({ strict: false });
  ajv.addFormat("date-time", () => true);
  const titles = new Map<string, unknown>();
  const schemas = Object.entries(core).filter(
    ([name, value]) =>
      /^[A-Z][A-Z_]+$/.test(name) && value && typeof value === "object" && "type" in value,
  );
  expect(schemas.map(([name]) => name)).toContain("RUN_DETAIL");
  for (const [name, schema] of schemas) {
    expect(() => ajv.compile(schema as object), name).not.toThrow();
    const title = (schema as { title?: string }).title;
    if (title === undefined) continue;
    expect(titles.get(title) ?? schema, `${name} reuses the title ${title}`).toBe(schema);
    titles.set(title, schema);
  }
});

/**
 * One deployment of a definition file, built: its item checked key by key (flow or command,
 * parameters and their schema, schedules, triggers, retries, concurrency, job fields, retention)
 * into the spec its versions keep, each problem reported at its place.
 */
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import {
  type CollisionStrategy,
  closest,
  type DeploymentSpec,
  runNameProblem,
  type ScheduleSpec,
} from "../core/index.ts";
import { checkSchema, schemaShapeIssues } from "../core/json-schema.ts";
import { buildRetention } from "./build-retention.ts";
import { buildSchedule } from "./build-schedule.ts";
import { buildTriggers } from "./build-triggers.ts";
import { checkCommandPlaceholders, checkEnvPlaceholders } from "./check-command.ts";
import {
  duration,
  type Item,
  isObject,
  type ParseContext,
  type Path,
  type Report,
} from "./definition-values.ts";
import { checkJobFields } from "./job-template.ts";
import { checkParameterSets } from "./parameter-sets.ts";
import { DEPLOYMENT_KEYS } from "./schema-deployment.ts";

/** A path in the project given in a definition, checked to stay inside the definition's folder. */
function insideFolder(
  given: string,
  ctx: ParseContext,
  path: Path,
  report: Report,
): string | undefined {
  const folder = resolve(ctx.path, "..");
  const target = resolve(folder, given);
  const fromRoot = relative(ctx.root, target);
  if (isAbsolute(given) || fromRoot.startsWith("..") || isAbsolute(fromRoot)) {
    report(
      path,
      `${JSON.stringify(given)} is outside the project; paths must stay inside ${ctx.root}`,
    );
    return undefined;
  }
  const fromFolder = relative(folder, target);
  if (fromFolder.startsWith("..")) {
    report(
      path,
      `${JSON.stringify(given)} is outside ${relative(ctx.root, folder) || "."}/, the folder bundled with this deployment; move the definition up or the file down`,
    );
    return undefined;
  }
  return fromFolder.split(sep).join("/") || ".";
}

/** The spec of one deployment item at `base`, or null when it has a problem (each reported). */
export function buildSpec(
  item: Item,
  base: Path,
  ctx: ParseContext,
  report: Report,
): DeploymentSpec | null {
  const at = (...keys: (string | number)[]): Path => [...base, ...keys];
  let problems = 0;
  const count: Report = (path, message, key) => {
    problems++;
    report(path, message, key);
  };

  let flow: DeploymentSpec["flow"];
  let command: string[] | undefined;
  if (item.flow !== undefined && item.command !== undefined) {
    count(base, 'has both "flow" and "command"; a deployment runs one of them');
  } else if (
    item.flow === undefined &&
    item.command === undefined &&
    !misspelt(item, ["flow", "command"])
  ) {
    count(base, 'needs "flow" (a TypeScript file) or "command" to run');
  }
  if (typeof item.flow === "string") {
    const match = /^(.*?)(?::([A-Za-z_$][\w$]*))?$/.exec(item.flow)!;
    const file = insideFolder(match[1]!, ctx, at("flow"), count);
    if (file !== undefined) {
      const abs = join(resolve(ctx.path, ".."), file);
      if (!existsSync(abs) || !statSync(abs).isFile()) {
        count(at("flow"), `${JSON.stringify(match[1])} does not exist`);
      } else if (!/\.(m?[jt]sx?)$/.test(file)) {
        count(
          at("flow"),
          `${JSON.stringify(match[1])} is not a TypeScript or JavaScript file; use "command" to run anything else`,
        );
      }
      flow = { path: file, export: match[2] ?? "default" };
    }
  }
  if (Array.isArray(item.command)) command = item.command.map(String);
  else if (typeof item.command === "string") command = ["sh", "-c", item.command];
  if (command) {
    checkCommandPlaceholders(item, command, at("command"), count);
  }
  checkEnvPlaceholders(item, at("env"), count);

  // An absolute folder is the machine's own (a cron job's `cd /srv/app`): the run works there.
  // A relative one stays inside the definition's folder: the run's copy of it.
  let cwd = ".";
  if (typeof item.cwd === "string") {
    cwd = isAbsolute(item.cwd)
      ? normalize(item.cwd)
      : (insideFolder(item.cwd, ctx, at("cwd"), count) ?? ".");
  }

  // A list is a wait per retry; its first is the run's retry_delay_ms, as a single one is.
  const retryDelays = Array.isArray(item.retry_delay) ? item.retry_delay.map(duration) : null;
  const retryDelay = retryDelays ? retryDelays[0] : duration(item.retry_delay);
  const timeout = duration(item.timeout);
  if (timeout === 0) count(at("timeout"), "must be more than 0 (leave it out for no timeout)");

  const parameters = isObject(item.parameters) ? item.parameters : {};
  const parameterSchema = isObject(item.parameter_schema) ? item.parameter_schema : undefined;
  if (parameterSchema) {
    // Each mistake of the schema at its place (`parameter_schema.type: "objekt" is not a JSON
    // Schema type`); one the meta-schema lets through (a $ref to nowhere) as the compiler says it.
    const shape = schemaShapeIssues(parameterSchema);
    for (const issue of shape) count(at("parameter_schema", ...issue.path), issue.message);
    try {
      if (!shape.length) {
        checkSchema(parameterSchema, {});
        checkParameterSets(parameterSchema, item, base, "the parameter_schema", count);
      }
    } catch (error) {
      count(at("parameter_schema"), `is not a valid JSON Schema: ${(error as Error).message}`);
    }
  }

  const schedules: ScheduleSpec[] = [];
  if (Array.isArray(item.schedules)) {
    item.schedules.forEach((raw: unknown, i: number) => {
      if (!isObject(raw)) return;
      const spec = buildSchedule(raw, at("schedules", i), count);
      if (spec) schedules.push(spec);
    });
  }

  const triggers = buildTriggers(item, base, count, resolve(ctx.path, ".."));
  const retention = buildRetention(item.retention, at("retention"), count);
  const jobVariables = isObject(item.job_variables)
    ? checkJobFields(item.job_variables, at("job_variables"), resolve(ctx.path, ".."), count)
    : undefined;
  const include = Array.isArray(item.include) ? item.include.map(String) : undefined;
  include?.forEach((glob, i) => {
    if (glob.startsWith("/") || glob.split("/").includes("..")) {
      count(
        at("include", i),
        `${JSON.stringify(glob)} must stay inside this folder (no "/" at the start, no "..")`,
      );
    }
  });
  if (typeof item.run_name === "string") {
    const problem = runNameProblem(item.run_name);
    if (problem) count(at("run_name"), problem);
  }

  if (problems || typeof item.name !== "string") return null;
  const concurrency = isObject(item.concurrency)
    ? {
        limit: Number(item.concurrency.limit),
        collision: (item.concurrency.collision as CollisionStrategy | undefined) ?? "enqueue",
      }
    : null;
  return {
    name: item.name,
    description: typeof item.description === "string" ? item.description : "",
    ...(flow ? { flow } : {}),
    ...(command ? { command } : {}),
    tags: Array.isArray(item.tags) ? item.tags.map(String) : [],
    parameters,
    ...(parameterSchema ? { parameter_schema: parameterSchema } : {}),
    schedules,
    triggers,
    retries: typeof item.retries === "number" ? item.retries : 0,
    retry_delay_ms: retryDelay ?? 0,
    ...(retryDelays && retryDelays.length > 1
      ? { retry_delays_ms: retryDelays.map((d) => d ?? 0) }
      : {}),
    timeout_ms: timeout ?? null,
    concurrency,
    work_pool: typeof item.work_pool === "string" ? item.work_pool : "default",
    work_queue: typeof item.work_queue === "string" ? item.work_queue : "default",
    env: isObject(item.env)
      ? Object.fromEntries(Object.entries(item.env).map(([k, v]) => [k, String(v)]))
      : {},
    cwd,
    ...(retention ? { retention } : {}),
    ...(jobVariables ? { job_variables: jobVariables } : {}),
    ...(include ? { include } : {}),
    ...(typeof item.run_name === "string" ? { run_name: item.run_name } : {}),
  };
}

/** Whether the item has an unknown key that looks like one of `keys` (reported as a typo already). */
function misspelt(item: Item, keys: string[]): boolean {
  return Object.keys(item).some(
    (k) => !DEPLOYMENT_KEYS.includes(k) && keys.includes(closest(k, DEPLOYMENT_KEYS) ?? ""),
  );
}

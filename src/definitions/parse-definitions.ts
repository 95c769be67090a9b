import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { type Document, isMap, LineCounter, type Node, type Pair, parseDocument } from "yaml";
import {
  type CatchupPolicy,
  type CollisionStrategy,
  closest,
  commandPlaceholders,
  type DeploymentSpec,
  type Problem,
  parseDuration,
  type ScheduleSpec,
  type TriggerSpec,
  type WorkPoolSpec,
} from "../core/index.ts";
import { checkSchema, renderPath } from "../core/json-schema.ts";
import { templateProblems, triggerProblems } from "../events/index.ts";
import { cronProblem, isTimeZone, parseIsoInZone, rruleProblem } from "../scheduler/index.ts";
import { DEFINITION_SCHEMA, DEPLOYMENT_KEYS } from "./schema.ts";
import { aliasProblem } from "./yaml-aliases.ts";

/** A deployment read from a file, with where it starts. */
export interface ParsedDeployment {
  spec: DeploymentSpec;
  line: number;
}

/** What a definition file holds: its deployments when it is valid, every problem when not. */
export interface ParsedFile {
  /** Project-relative, with forward slashes: `flows/etl.yaml`. */
  file: string;
  deployments: ParsedDeployment[];
  /** Work pools the file sets (empty when it has problems). */
  pools: WorkPoolSpec[];
  /** Every deployment name the file declares, valid or not, with its line (for duplicates). */
  declared: { name: string; line: number }[];
  problems: Problem[];
}

export interface ParseContext {
  /** The project root (absolute). */
  root: string;
  /** The definition file (absolute). */
  path: string;
}

type Path = (string | number)[];
type Item = Record<string, unknown>;

/**
 * Parse and validate one definition file. Every problem is collected, each with file:line:column
 * and the key path inside its deployment; a file with any problem yields no deployments, so the
 * ones it held keep their last good version.
 */
export function parseDefinitions(text: string, ctx: ParseContext): ParsedFile {
  const file = relative(ctx.root, ctx.path).split(sep).join("/");
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = [];
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };

  if (doc.errors.length) {
    for (const error of doc.errors) {
      problems.push({ where: at(error.pos[0]), message: error.message.split("\n")[0]! });
    }
    return { file, deployments: [], pools: [], declared: [], problems };
  }

  // Aliases are checked by what they expand to, not by how many there are (see yaml-aliases.ts).
  const alias = aliasProblem(doc);
  if (alias) {
    problems.push({ where: at(alias.offset), message: alias.message });
    return { file, deployments: [], pools: [], declared: [], problems };
  }
  const value = doc.toJS({ maxAliasCount: -1 }) ?? { deployments: [] };
  const report = (path: Path, message: string, key?: string) => {
    problems.push({
      where: at(offsetOf(doc, path, key)),
      message: `${describePath(path, key)}${message}`,
    });
  };

  for (const issue of checkSchema(DEFINITION_SCHEMA, value)) {
    if (issue.key !== undefined) {
      const keys = Object.keys(
        (issue.error.parentSchema as { properties?: object }).properties ?? {},
      );
      const guess = closest(issue.key, keys);
      report(issue.path, `unknown key${guess ? ` (did you mean "${guess}"?)` : ""}`, issue.key);
    } else {
      report(issue.path, issue.message);
    }
  }

  const items: unknown[] = Array.isArray(value.deployments) ? value.deployments : [];
  const deployments: ParsedDeployment[] = [];
  const names = new Map<string, number>();
  const declared: { name: string; line: number }[] = [];
  items.forEach((raw, index) => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return;
    const item = raw as Item;
    const base: Path = ["deployments", index];
    const line = lineCounter.linePos(offsetOf(doc, base)).line;
    if (typeof item.name === "string") {
      declared.push({ name: item.name, line });
      const first = names.get(item.name);
      if (first !== undefined) {
        report(
          [...base, "name"],
          `deployment ${JSON.stringify(item.name)} is defined twice in this file (first at line ${first})`,
        );
      } else names.set(item.name, line);
    }
    const spec = buildSpec(item, base, ctx, report);
    if (spec) deployments.push({ spec, line });
  });

  const pools: WorkPoolSpec[] = [];
  const poolNames = new Set<string>();
  (Array.isArray(value.work_pools) ? value.work_pools : []).forEach((raw: unknown, i: number) => {
    if (!isObject(raw) || typeof raw.name !== "string") return;
    if (poolNames.has(raw.name)) {
      report(
        ["work_pools", i, "name"],
        `work pool ${JSON.stringify(raw.name)} is set twice in this file`,
      );
      return;
    }
    poolNames.add(raw.name);
    const queues = (Array.isArray(raw.queues) ? raw.queues : []).filter(isObject);
    const queueNames = new Set<string>();
    for (const [j, q] of queues.entries()) {
      if (typeof q.name === "string" && queueNames.has(q.name)) {
        report(
          ["work_pools", i, "queues", j, "name"],
          `queue ${JSON.stringify(q.name)} is set twice in this pool`,
        );
      }
      queueNames.add(String(q.name));
    }
    pools.push({
      name: raw.name,
      concurrency: typeof raw.concurrency === "number" ? raw.concurrency : null,
      queues: queues.map((q) => ({
        name: String(q.name),
        priority: typeof q.priority === "number" ? q.priority : 1,
        concurrency: typeof q.concurrency === "number" ? q.concurrency : null,
      })),
    });
  });

  problems.sort((a, b) => position(a.where) - position(b.where));
  const ok = problems.length === 0;
  return { file, deployments: ok ? deployments : [], pools: ok ? pools : [], declared, problems };
}

/** Sort key of `file:line:col`. */
function position(where = ""): number {
  const [, line = "0", col = "0"] = /:(\d+):(\d+)$/.exec(where) ?? [];
  return Number(line) * 10_000 + Number(col);
}

function describePath(path: Path, key?: string): string {
  const inner = path[0] === "deployments" && typeof path[1] === "number" ? path.slice(2) : path;
  const full = key === undefined ? inner : [...inner, key];
  return full.length ? `${renderPath(full)}: ` : "";
}

/** The offset of the node at `path` (or of `key` inside it), falling back to its nearest parent. */
function offsetOf(doc: Document, path: Path, key?: string): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = (
      depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)
    ) as Node | null;
    if (!node || !("range" in node) || !node.range) continue;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((p: Pair) => (p.key as { value?: unknown })?.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return keyNode.range[0];
    }
    return node.range[0];
  }
  return 0;
}

type Report = (path: Path, message: string, key?: string) => void;

function duration(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  // A malformed duration is reported by the schema check; this only converts.
  return parseDuration(value as string | number);
}

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

function buildSpec(
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
    // A placeholder must name a parameter the deployment knows (a default or the schema's).
    const schemaProps =
      isObject(item.parameter_schema) && isObject(item.parameter_schema.properties);
    const known = new Set([
      ...Object.keys(isObject(item.parameters) ? item.parameters : {}),
      ...(schemaProps
        ? Object.keys((item.parameter_schema as { properties: Item }).properties)
        : []),
    ]);
    // The same reading of the command as at run time (commandPlaceholders), so a definition
    // that deploys never fails to render for a reason known now.
    for (const p of commandPlaceholders(command)) {
      const first = p.keys?.[0];
      if (p.problem || first === undefined) {
        count(at("command"), p.problem ?? `{{ ${p.path} }} cannot be filled`);
      } else if (!known.has(first) && !schemaProps) {
        const guess = closest(first, [...known]);
        count(
          at("command"),
          `{{ ${p.path} }} names no parameter${guess ? ` (did you mean "${guess}"?)` : ""}: give it a default in parameters, or declare it in parameter_schema`,
        );
      } else if (!known.has(first)) {
        count(at("command"), `{{ ${p.path} }} names no parameter of the parameter_schema`);
      } else if (p.numeric && !isNumberInSchema(item.parameter_schema, p.keys!)) {
        count(
          at("command"),
          `{{ ${p.path} }} is where bash evaluates arithmetic ($(( )), [[ -eq ]], let, a subscript), which runs code found in text; declare it as an integer in parameter_schema, so only numbers reach it`,
        );
      }
    }
  }

  let cwd = ".";
  if (typeof item.cwd === "string") cwd = insideFolder(item.cwd, ctx, at("cwd"), count) ?? ".";

  const retryDelay = duration(item.retry_delay);
  const timeout = duration(item.timeout);
  if (timeout === 0) count(at("timeout"), "must be more than 0 (leave it out for no timeout)");

  const parameters = isObject(item.parameters) ? item.parameters : {};
  const parameterSchema = isObject(item.parameter_schema) ? item.parameter_schema : undefined;
  /** Check parameters against the schema; `own` limits reports to those keys (a schedule's). */
  const checkParameters = (params: Item, path: Path, own?: Item) => {
    if (!parameterSchema) return;
    let issues: ReturnType<typeof checkSchema>;
    try {
      issues = checkSchema(parameterSchema, params);
    } catch {
      return; // an invalid schema is reported once, below
    }
    for (const issue of issues) {
      const top = issue.path[0] ?? issue.key;
      if (own && (typeof top !== "string" || !(top in own))) continue;
      if (issue.key !== undefined)
        count([...path, ...issue.path], "is not in the parameter_schema", issue.key);
      else count([...path, ...issue.path], issue.message);
    }
  };
  if (parameterSchema) {
    try {
      checkSchema(parameterSchema, {});
    } catch (error) {
      count(at("parameter_schema"), `is not a valid JSON Schema: ${(error as Error).message}`);
    }
  }
  checkParameters(parameters, at("parameters"));

  const schedules: ScheduleSpec[] = [];
  if (Array.isArray(item.schedules)) {
    item.schedules.forEach((raw: unknown, i: number) => {
      if (!isObject(raw)) return;
      const spec = buildSchedule(raw, at("schedules", i), count);
      if (spec) {
        schedules.push(spec);
        if (isObject(raw.parameters))
          checkParameters(
            { ...parameters, ...raw.parameters },
            at("schedules", i, "parameters"),
            raw.parameters,
          );
      }
    });
  }

  if (Array.isArray(item.triggers)) {
    item.triggers.forEach((t: unknown, i: number) => {
      if (!isObject(t) || typeof t.on !== "string") return;
      for (const p of templateProblems(t.parameters, ["parameters"])) {
        count(at("triggers", i, ...p.path), p.message);
      }
      for (const p of triggerProblems(t.on, isObject(t.match) ? t.match : {})) {
        const [first, ...rest] = p.key;
        if (first === "match" && rest.length) count(at("triggers", i, "match"), p.message, rest[0]);
        else count(at("triggers", i, first!), p.message);
      }
    });
  }
  const triggers: TriggerSpec[] = Array.isArray(item.triggers)
    ? item.triggers.filter(isObject).map((t) => ({
        on: String(t.on),
        match: isObject(t.match)
          ? Object.fromEntries(Object.entries(t.match).map(([k, v]) => [k, String(v)]))
          : {},
        parameters: isObject(t.parameters) ? t.parameters : {},
      }))
    : [];

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
    timeout_ms: timeout ?? null,
    concurrency,
    work_pool: typeof item.work_pool === "string" ? item.work_pool : "default",
    work_queue: typeof item.work_queue === "string" ? item.work_queue : "default",
    env: isObject(item.env)
      ? Object.fromEntries(Object.entries(item.env).map(([k, v]) => [k, String(v)]))
      : {},
    cwd,
  };
}

function buildSchedule(raw: Item, path: Path, report: Report): ScheduleSpec | null {
  const kinds = ["cron", "interval", "rrule"].filter((k) => raw[k] !== undefined);
  let ok = true;
  const fail: Report = (p, m, k) => {
    ok = false;
    report(p, m, k);
  };
  if (kinds.length !== 1) {
    fail(
      path,
      kinds.length
        ? `has ${kinds.join(" and ")}; a schedule has exactly one`
        : 'needs one of "cron", "interval" or "rrule"',
    );
  }
  const timezone = typeof raw.timezone === "string" ? raw.timezone : "UTC";
  if (!isTimeZone(timezone)) {
    fail(
      [...path, "timezone"],
      `${JSON.stringify(timezone)} is not an IANA time zone (like "Europe/Berlin" or "UTC")`,
    );
  }
  if (typeof raw.cron === "string") {
    const problem = cronProblem(raw.cron);
    if (problem)
      fail(
        [...path, "cron"],
        `${JSON.stringify(raw.cron)} is not a valid cron expression: ${problem}`,
      );
  }
  let interval: number | undefined;
  if (raw.interval !== undefined) {
    interval = duration(raw.interval);
    if (interval !== undefined && interval < 1000)
      fail([...path, "interval"], "must be at least 1s");
  }
  const zone = isTimeZone(timezone) ? timezone : "UTC";
  const anchorMs = typeof raw.anchor === "string" ? parseIsoInZone(raw.anchor, zone) : null;
  if (typeof raw.anchor === "string" && anchorMs === null) {
    fail(
      [...path, "anchor"],
      `${JSON.stringify(raw.anchor)} is not an ISO time (like "2026-01-01T02:00:00Z", or without an offset in the schedule's time zone)`,
    );
  }
  if (typeof raw.rrule === "string") {
    const anchor = typeof raw.anchor === "string" ? raw.anchor : undefined;
    const problem = rruleProblem(raw.rrule, isTimeZone(timezone) ? timezone : "UTC", anchor);
    if (problem) {
      fail(
        [...path, "rrule"],
        `${JSON.stringify(raw.rrule)} is not a valid recurrence rule: ${problem}`,
      );
    }
  }
  if (!ok) return null;
  return {
    ...(typeof raw.cron === "string" ? { cron: raw.cron } : {}),
    ...(interval !== undefined ? { interval_ms: interval } : {}),
    ...(anchorMs !== null ? { anchor: new Date(anchorMs).toISOString() } : {}),
    ...(typeof raw.rrule === "string" ? { rrule: raw.rrule } : {}),
    timezone,
    parameters: isObject(raw.parameters) ? raw.parameters : {},
    active: raw.active !== false,
    catchup: (raw.catchup as CatchupPolicy | undefined) ?? "latest",
  };
}

/** Whether the item has an unknown key that looks like one of `keys` (reported as a typo already). */
function misspelt(item: Item, keys: string[]): boolean {
  return Object.keys(item).some(
    (k) => !DEPLOYMENT_KEYS.includes(k) && keys.includes(closest(k, DEPLOYMENT_KEYS) ?? ""),
  );
}

function isObject(value: unknown): value is Item {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when the schema lets only numbers through at this path of the parameters. */
function isNumberInSchema(schema: unknown, keys: string[]): boolean {
  let node = schema;
  for (const key of keys) {
    const properties = isObject(node) && isObject(node.properties) ? node.properties : {};
    node = Object.hasOwn(properties, key) ? properties[key] : undefined;
  }
  const types = isObject(node) ? [node.type].flat() : [];
  return types.length > 0 && types.every((t) => t === "integer" || t === "number");
}

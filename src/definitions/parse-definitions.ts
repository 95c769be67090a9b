import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import {
  type CollisionStrategy,
  closest,
  type DeploymentSpec,
  type NamedValue,
  type Problem,
  type RetentionSpec,
  runNameProblem,
  type ScheduleSpec,
  type WebhookSpec,
  type WorkPoolSpec,
} from "../core/index.ts";
import { checkSchema } from "../core/json-schema.ts";
import { buildPools } from "./build-pools.ts";
import { buildRetention } from "./build-retention.ts";
import { buildSchedule } from "./build-schedule.ts";
import { buildTriggers } from "./build-triggers.ts";
import { buildWebhooks } from "./build-webhooks.ts";
import { checkCommandPlaceholders, checkEnvPlaceholders } from "./check-command.ts";
import { describePath, offsetOf, position } from "./definition-positions.ts";
import { definitionReferences } from "./definition-references.ts";
import { duration, type Item, isObject, type Path, type Report } from "./definition-values.ts";
import { checkJobFields } from "./job-template.ts";
import { checkParameterSets, type ParameterPlaces, parameterPlaces } from "./parameter-sets.ts";
import { DEFINITION_SCHEMA, DEPLOYMENT_KEYS } from "./schema.ts";
import { aliasProblem } from "./yaml-aliases.ts";

/** A deployment read from a file, with where it starts. */
export interface ParsedDeployment {
  spec: DeploymentSpec;
  line: number;
  /** The secrets and variables its definition names, with where (checked when it deploys). */
  references: NamedValue[];
  /** Where its `flow:` is written (`flows/etl.yaml:3:11`), for a TypeScript flow. */
  flowAt?: string;
  /** The keys the file gave (what a TypeScript flow's own options do not override). */
  given: string[];
  /**
   * For a TypeScript flow's deployment with no parameter_schema of its own: its parameters
   * checked against the flow's, once the flow is read (each problem at file:line:col).
   */
  flowParameters?: ParameterPlaces;
}

/**
 * What a definition file holds: its deployments and every problem. The file deploys only when it
 * has no problems; until then its deployments that built are still checked further (the secrets,
 * variables and flows they name), so one pass reports every problem there is.
 */
export interface ParsedFile {
  /** Project-relative, with forward slashes: `flows/etl.yaml`. */
  file: string;
  /** The deployments that built (all of them when the file has no problems). */
  deployments: ParsedDeployment[];
  /** The secrets and variables named by deployments that did not build (checked all the same). */
  unbuiltReferences?: NamedValue[];
  /** Work pools the file sets (empty when it has problems). */
  pools: WorkPoolSpec[];
  /** Webhooks the file declares (empty when it has problems). */
  webhooks: WebhookSpec[];
  /** Where each webhook's slug is written (`flows/x.yaml:4:11`), by slug. */
  slugsAt?: Record<string, string>;
  /** The project's retention, when the file sets it (and has no problems). */
  retention?: RetentionSpec;
  /**
   * Every deployment name the file declares, valid or not, with its line and where its name is
   * written (`flows/x.yaml:4:11`), for duplicates across files.
   */
  declared: { name: string; line: number; where: string }[];
  problems: Problem[];
}

/** Where a definition file is: its project root and its own path. */
export interface ParseContext {
  /** The project root (absolute). */
  root: string;
  /** The definition file (absolute). */
  path: string;
}

/**
 * Parse and validate one definition file. Every problem is collected, each with file:line:column
 * and the key path inside its deployment; a file with any problem is not deployed, so the ones it
 * held keep their last good version.
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
    return { file, deployments: [], pools: [], webhooks: [], declared: [], problems };
  }

  // Aliases are checked by what they expand to, not by how many there are (see yaml-aliases.ts).
  const alias = aliasProblem(doc);
  if (alias) {
    problems.push({ where: at(alias.offset), message: alias.message });
    return { file, deployments: [], pools: [], webhooks: [], declared: [], problems };
  }
  const value = doc.toJS({ maxAliasCount: -1 }) ?? { deployments: [] };
  const report = (path: Path, message: string, key?: string) => {
    problems.push({
      where: at(offsetOf(doc, path, key)),
      message: `${describePath(path, key)}${message}`,
    });
  };

  for (const issue of checkSchema(DEFINITION_SCHEMA, value, true)) {
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
  const declared: ParsedFile["declared"] = [];
  const unbuiltReferences: NamedValue[] = [];
  items.forEach((raw, index) => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return;
    const item = raw as Item;
    const base: Path = ["deployments", index];
    const line = lineCounter.linePos(offsetOf(doc, base)).line;
    if (typeof item.name === "string") {
      declared.push({ name: item.name, line, where: at(offsetOf(doc, [...base, "name"])) });
      const first = names.get(item.name);
      if (first !== undefined) {
        report(
          [...base, "name"],
          `deployment ${JSON.stringify(item.name)} is defined twice in this file (first at line ${first})`,
        );
      } else names.set(item.name, line);
    }
    const spec = buildSpec(item, base, ctx, report);
    const references = definitionReferences(item, base, doc, at);
    if (!spec) unbuiltReferences.push(...references);
    else
      deployments.push({
        spec,
        line,
        references,
        given: Object.keys(item),
        ...(spec.flow ? { flowAt: at(offsetOf(doc, [...base, "flow"])) } : {}),
        ...(spec.flow && item.parameter_schema === undefined
          ? { flowParameters: parameterPlaces(doc, item, base, at) }
          : {}),
      });
  });

  const pools = buildPools(value.work_pools, report, resolve(ctx.path, ".."));
  const retention = buildRetention(value.retention, ["retention"], report);
  const webhooks = buildWebhooks(value.webhooks, report);

  problems.sort((a, b) => position(a.where) - position(b.where));
  const ok = problems.length === 0;
  return {
    file,
    deployments,
    ...(unbuiltReferences.length ? { unbuiltReferences } : {}),
    pools: ok ? pools : [],
    webhooks: ok ? webhooks : [],
    ...(ok && webhooks.length
      ? {
          slugsAt: Object.fromEntries(
            (value.webhooks as { slug: string }[]).map((w, i) => [
              w.slug,
              at(offsetOf(doc, ["webhooks", i], "slug")),
            ]),
          ),
        }
      : {}),
    ...(ok && retention ? { retention } : {}),
    declared,
    problems,
  };
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
    try {
      checkSchema(parameterSchema, {});
      checkParameterSets(parameterSchema, item, base, "the parameter_schema", count);
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

/**
 * A definition file read: its YAML parsed with positions, checked against the definition
 * format, and built into deployments (build-deployment.ts), work pools, webhooks and the
 * project's retention, with every problem at its file:line:col.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import {
  closest,
  type DeploymentSpec,
  type NamedValue,
  type Problem,
  type RetentionSpec,
  type WebhookSpec,
  type WorkPoolSpec,
} from "../core/index.ts";
import { checkSchema } from "../core/json-schema.ts";
import { buildSpec } from "./build-deployment.ts";
import { buildPools } from "./build-pools.ts";
import { buildRetention } from "./build-retention.ts";
import { buildWebhooks } from "./build-webhooks.ts";
import { describePath, offsetOf, sortProblems } from "./definition-positions.ts";
import { actionReferences, definitionReferences } from "./definition-references.ts";
import type { Item, ParseContext, Path } from "./definition-values.ts";
import { type ParameterPlaces, parameterPlaces } from "./parameter-sets.ts";
import { DEFINITION_SCHEMA } from "./schema.ts";
import { type NamedDeployment, triggerDeployments } from "./trigger-deployments.ts";
import { aliasProblem } from "./yaml-aliases.ts";
import { syntaxProblems } from "./yaml-syntax.ts";

/** A deployment read from a file, with where it starts. */
export interface ParsedDeployment {
  spec: DeploymentSpec;
  line: number;
  /** The secrets and variables its definition names, with where (checked when it deploys). */
  references: NamedValue[];
  /** Those its notify and triggers' actions name (checked when it deploys; no run gets them). */
  actionReferences?: NamedValue[];
  /** Where its `flow:` is written (`flows/etl.yaml:3:11`), for a TypeScript flow. */
  flowAt?: string;
  /** Where its `cwd:` is written, for an absolute one (checked when it deploys: local-cwd.ts). */
  cwdAt?: string;
  /** The deployments its triggers match on by name, with where (a deploy warns of unknown ones). */
  triggerDeployments?: NamedDeployment[];
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

/**
 * Parse and validate one definition file. Every problem is collected, each with file:line:column
 * and the key path inside its deployment; a file with any problem is not deployed, so the ones it
 * held keep their last good version.
 */
export function parseDefinitions(text: string, ctx: ParseContext): ParsedFile {
  const file = relative(ctx.root, ctx.path).split(sep).join("/");
  const lineCounter = new LineCounter();
  // logLevel "error": a placeholder left unquoted (a map as a key) is a problem of the file
  // (unquotedPlaceholder), not a warning of the parser's on the process's stderr.
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: "error",
  });
  const problems: Problem[] = [];
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };

  if (doc.errors.length) {
    for (const { offset, message } of syntaxProblems(text, doc, doc.errors)) {
      problems.push({ where: at(offset), message });
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
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push({ where: at(offsetOf(doc, [])), message: notAMap(value) });
    return { file, deployments: [], pools: [], webhooks: [], declared: [], problems };
  }
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
      const placeholder = unquotedPlaceholder(issue.error.data);
      report(
        issue.path,
        placeholder
          ? `${placeholder} needs quotes (without them YAML reads { } as a map): write "${placeholder}"`
          : issue.message,
      );
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
    const forActions = actionReferences(item, base, doc, at);
    if (!spec) unbuiltReferences.push(...references, ...forActions);
    else
      deployments.push({
        spec,
        line,
        references,
        ...(forActions.length ? { actionReferences: forActions } : {}),
        given: Object.keys(item),
        ...(spec.flow ? { flowAt: at(offsetOf(doc, [...base, "flow"])) } : {}),
        ...(isAbsolute(spec.cwd) ? { cwdAt: at(offsetOf(doc, [...base, "cwd"])) } : {}),
        ...(spec.triggers.length
          ? { triggerDeployments: triggerDeployments(item, base, doc, at) }
          : {}),
        ...(spec.flow && item.parameter_schema === undefined
          ? { flowParameters: parameterPlaces(doc, item, base, at) }
          : {}),
      });
  });

  const pools = buildPools(value.work_pools, report, resolve(ctx.path, ".."));
  const retention = buildRetention(value.retention, ["retention"], report);
  const webhooks = buildWebhooks(value.webhooks, report);

  sortProblems(problems, file);
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

/** What a file that is not a map holds instead, and how to write it. */
function notAMap(value: unknown): string {
  return Array.isArray(value)
    ? 'a definition file holds "deployments:" with the list under it: write deployments: on the first line and indent the list below it'
    : `a definition file is a map of deployments:, work_pools:, webhooks: and retention:, not ${JSON.stringify(value)}`;
}

/** `{{ parameters.x }}` written without quotes, as YAML reads it (`{"{ parameters.x }": null}`). */
function unquotedPlaceholder(value: unknown): string | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  const [key, inner] = entries[0] ?? [];
  if (entries.length !== 1 || inner !== null || !/^\{.*\}$/s.test(key ?? "")) return undefined;
  return `{${key}}`;
}

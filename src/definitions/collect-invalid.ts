import type { Problem } from "../core/index.ts";
import { webhooksSetTwice } from "./build-webhooks.ts";
import type { ParsedFile } from "./parse-definitions.ts";

/** Where a deployment name is defined. */
interface Place {
  abs: string;
  line: number;
  where: string;
}

/**
 * Definition files that fail now, as problems per file (by absolute path): their own, a work
 * pool or the project's retention set in a second file, and deployment names defined twice
 * (the file that already holds a deployment, by `holderOf`, keeps it; the others are in error).
 */
export function collectInvalid(
  parsed: ReadonlyMap<string, ParsedFile>,
  holderOf: (name: string) => string | undefined,
  rel: (abs: string) => string,
): Map<string, Problem[]> {
  const invalid = new Map<string, Problem[]>();
  // Each name's first place, and the places of the few names defined in more than one file.
  // Why apart: a list for each of a large project's names cost its load 5-13 ms of the server's
  // thread at once (10,000 names), for the rare duplicate.
  const first = new Map<string, Place>();
  const owners = new Map<string, Place[]>();
  for (const [abs, file] of parsed) {
    if (file.problems.length) invalid.set(abs, file.problems);
    // Names of invalid files count too, so a duplicate is reported with the file's other problems.
    for (const d of file.declared) {
      const held = first.get(d.name);
      const place = { abs, line: d.line, where: d.where };
      if (!held) first.set(d.name, place);
      else if (held.abs !== abs) {
        const places = owners.get(d.name) ?? [held];
        if (!places.some((p) => p.abs === abs)) owners.set(d.name, [...places, place]);
      }
    }
  }
  // A work pool is set in one file only: the first file (by path) that sets it keeps it.
  const poolOwners = new Map<string, string[]>();
  for (const [abs, file] of [...parsed].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const pool of file.pools)
      poolOwners.set(pool.name, [...(poolOwners.get(pool.name) ?? []), abs]);
  }
  for (const [name, files] of poolOwners) {
    for (const abs of files.slice(1)) {
      const problem = {
        where: rel(abs),
        message: `work pool ${JSON.stringify(name)} is also set in ${rel(files[0]!)}; set a pool in one file`,
      };
      invalid.set(abs, [...(invalid.get(abs) ?? []), problem]);
    }
  }
  const files = [...parsed].map(([abs, f]) => ({
    abs,
    file: f.file,
    webhooks: f.webhooks,
    ...(f.slugsAt ? { slugsAt: f.slugsAt } : {}),
  }));
  for (const { abs, problem } of webhooksSetTwice(files))
    invalid.set(abs, [...(invalid.get(abs) ?? []), problem]);
  // The project's retention is set in one file only, like a pool.
  const retentionFiles = [...parsed]
    .filter(([, file]) => file.retention)
    .map(([abs]) => abs)
    .sort();
  for (const abs of retentionFiles.slice(1)) {
    const problem = {
      where: rel(abs),
      message: `retention is also set in ${rel(retentionFiles[0]!)}; set the project's retention in one file`,
    };
    invalid.set(abs, [...(invalid.get(abs) ?? []), problem]);
  }
  // In the order the names first appear (as the problems were always listed).
  for (const name of owners.size ? first.keys() : []) {
    const places = owners.get(name);
    if (!places) continue;
    // The file that already holds the deployment keeps it; the others are in error.
    const holder = holderOf(name);
    const keeper = places.find((p) => rel(p.abs) === holder && !invalid.has(p.abs));
    for (const place of places) {
      if (place === keeper) continue;
      const others = places.filter((p) => p !== place).map((p) => p.where);
      const problem = {
        where: place.where,
        message: `deployment ${JSON.stringify(name)} is also defined at ${others.join(", ")}; names are unique in a project`,
      };
      invalid.set(place.abs, [...(invalid.get(place.abs) ?? []), problem]);
    }
  }
  return invalid;
}

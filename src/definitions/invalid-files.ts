/**
 * What the deployer remembers of invalid files from one pass to the next. The files a later
 * pass re-checks: those invalid as read, and those refused for a name defined elsewhere (a
 * secret or variable not set yet, which a later pass may find). And the problems last reported
 * of each: a file only re-checked (not saved) is reported again only when its problems
 * changed, so one save of one broken file is one report, not one more with every other save.
 */
import type { DeployReport, Problem } from "../core/index.ts";

/** One written pass, as the memory of invalid files needs it (absolute paths). */
export interface InvalidPass {
  /** The files read, by absolute path. */
  parsed: { has(abs: string): boolean };
  /** The files invalid as read, with their problems. */
  invalid: ReadonlyMap<string, Problem[]>;
  touched: ReadonlySet<string>;
  gone: ReadonlySet<string>;
  /** The files only re-checked, by project-relative path. */
  rechecked: ReadonlySet<string>;
}

/** The invalid files of a deployer's passes; `rel` makes an absolute path project-relative. */
export function createInvalidFiles(rel: (abs: string) => string) {
  let lastInvalid = new Set<string>();
  /** The problems last reported of each invalid file (by its project-relative path). */
  const reported = new Map<string, string>();
  return {
    /** The files invalid after the last written pass, which the next pass re-checks. */
    toRecheck: (): ReadonlySet<string> => lastInvalid,
    /**
     * After a written pass: remember what the next one re-checks, and leave out of
     * `report.invalid` the files only re-checked whose problems were reported as they are.
     */
    afterPass({ parsed, invalid, touched, gone, rechecked }: InvalidPass, report: DeployReport) {
      // What a later pass re-checks: files invalid as read, and files refused in a pass for a
      // name defined elsewhere, this pass's or an earlier one's.
      const refusedFiles = new Set(report.invalid.map((bad) => bad.file));
      lastInvalid = new Set(
        [
          ...invalid.keys(),
          ...[...lastInvalid].filter((abs) => !touched.has(abs)),
          ...[...touched].filter((abs) => refusedFiles.has(rel(abs))),
        ].filter((abs) => parsed.has(abs) && !gone.has(abs)),
      );
      for (const abs of [...touched, ...gone]) if (!invalid.has(abs)) reported.delete(rel(abs));
      report.invalid = report.invalid.filter((bad) => {
        const problems = JSON.stringify(bad.problems);
        const same = reported.get(bad.file) === problems;
        reported.set(bad.file, problems);
        return !(same && rechecked.has(bad.file));
      });
    },
  };
}

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, relative, resolve } from "node:path";
import { defineCommand } from "citty";
import { OrchError } from "../core/index.ts";
import { connect, connectArgs, projectOf } from "./connect.ts";
import { c, log } from "./output.ts";
import { projectRelative, type RecordedRun, readRecordedRun } from "./runs-recorded.ts";

/** A JS string literal of `text` that is safe in a line comment and in code. */
const literal = (text: string) => JSON.stringify(text).replace(/\u2028|\u2029/g, " ");

/** One line of text for a comment: no line breaks, no end of comment. */
const oneLine = (text: string) => text.replace(/[\r\n\u2028\u2029]+/g, " ").slice(0, 300);

/**
 * The test file of a snapshot: the run's parameters, and the results its tasks recorded before
 * the failure as testFlow's `recorded` by task name (calls past them run as written, so the
 * failed item of a map runs); it passes once the flow completes with them.
 */
export function renderSnapshot(past: RecordedRun, outFile: string, made: string): string {
  const { run } = past;
  const short = run.id.slice(0, 8);
  let spec = relative(dirname(outFile), past.file).split("\\").join("/");
  if (!spec.startsWith(".")) spec = `./${spec}`;
  const imported =
    past.exportName === "default"
      ? `import flowUnderTest from ${literal(spec)};`
      : `import { ${past.exportName} as flowUnderTest } from ${literal(spec)};`;
  const recorded: Record<string, unknown[]> = {};
  for (const r of past.recorded) recorded[r.name] = [...(recorded[r.name] ?? []), r.value];
  const ended = `${run.state}${run.state_message ? `: ${oneLine(run.state_message)}` : ""}`;
  const from = past.from
    ? `${past.from} and the tasks after it run as written`
    : "the flow runs past its last recorded task as written";
  return `// A regression test made from run ${run.id} of ${run.deployment}
// (attempt ${past.attempt ?? run.attempt}, ${ended}),
// by ${made}.
// It runs the flow with that run's parameters, and the results its tasks returned before the
// failure as recorded results; ${from}. It fails as the run did until the flow is fixed.
// Run it with orch test (or bun test).
import { expect, test } from "bun:test";
import { testFlow } from "orch/testing";
${imported}

const parameters = ${JSON.stringify(run.parameters, null, 2)};

/**
 * What each task returned in run ${short}, in the order of its calls: the Nth call of a task
 * returns its Nth result without running; its calls past them run as written. Add \`mocks\`
 * for tasks that reach outside (a mock is asked first).
 */
const recorded: Record<string, unknown[]> = ${JSON.stringify(recorded, null, 2)};

test(${literal(`run ${short} of ${run.deployment} completes (it ${ended.slice(0, 200)})`)}, async () => {
  const run = await testFlow(flowUnderTest, { parameters, recorded });
  // The error the flow failed with, with its stack into the flow's code.
  if (run.error) throw run.error;
  expect(run.state).toBe("COMPLETED");
});
`;
}

/** `orch runs snapshot ID [--out FILE]`: a past run as a regression test for orch/testing. */
export default defineCommand({
  meta: {
    name: "snapshot",
    description:
      "Write a test (orch/testing) from a past run: its parameters and the results its tasks recorded before the failure",
  },
  args: {
    id: {
      type: "positional",
      description: "The run's id (a unique prefix will do)",
      required: true,
    },
    out: {
      type: "string",
      description: "The test file to write (default: tests/FLOW.ID.test.ts in the project)",
    },
    from: {
      type: "string",
      description:
        "The task the test runs from (it and what follows run; default: the first failed task)",
    },
    force: { type: "boolean", description: "Overwrite the file when it exists" },
    ...connectArgs,
  },
  async run({ args }) {
    const paths = projectOf(args.dir);
    const conn = await connect(args, { local: true });
    try {
      const past = await readRecordedRun(conn.client, paths.root, args.id, args.from);
      const short = past.run.id.slice(0, 8);
      const flowBase = basename(past.file, extname(past.file));
      // Not beside the flow: a file in the deployment's folder would be part of its next version.
      const out = args.out
        ? resolve(args.out)
        : resolve(paths.root, "tests", `${flowBase}.${short}.test.ts`);
      if (existsSync(out) && !args.force) {
        throw new OrchError(
          "E_BAD_INPUT",
          `${projectRelative(paths.root, out)} exists; pass --force to overwrite it, or --out another file`,
        );
      }
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(
        out,
        renderSnapshot(past, out, `orch runs snapshot ${short} (${new Date().toISOString()})`),
      );
      const shown = projectRelative(paths.root, out);
      log.success(
        `wrote ${c.bold(shown, "stderr")}: run ${short}'s parameters and ${past.recorded.length} recorded task result(s)`,
      );
      log.info(`orch test ${shown} runs it; it passes once the flow completes with them`);
    } finally {
      conn.close();
    }
  },
});

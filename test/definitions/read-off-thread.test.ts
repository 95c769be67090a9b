import { afterEach, expect, test } from "vitest";
import { renderProblem, threadEntryUrl } from "../../src/core/index.ts";
import {
  createDefinitionReader,
  createDeployer,
  type DefinitionReader,
  type ParsedFile,
} from "../../src/definitions/index.ts";
import { loadDefinitionFile } from "../../src/definitions/read-files.ts";
import { getDeployment } from "../../src/store/index.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
let reader: DefinitionReader | undefined;
afterEach(() => {
  reader?.stop();
  reader = undefined;
  cleanup();
});

const BROKEN = `deployments:
  - name: etl
    flow: ./etl.ts
    schedules:
      - cron: "61 * * * *"
    retries: -1
    tags: [ok]
  - name: etl
    command: ["true"]
    timeout: 0s
`;

const VALID = `deployments:
  - name: nightly
    flow: ./etl.ts:named
    parameters: { day: yesterday, limit: 100, ratio: .nan }
    env: { TOKEN: "{{ secrets.token }}" }
    schedules:
      - cron: "0 2 * * *"
        timezone: Europe/Berlin
      - interval: 15m
        parameters: { limit: 10 }
  - name: backup
    command: ./backup.sh --all
`;

test("a file parsed on the reader's thread gives what parsing it here gives: specs, lines, and every problem at file:line:col", async () => {
  const p = makeProject({
    "flows/etl.ts": "export const named = 1;\nexport default 2;\n",
    "flows/good.yaml": VALID,
    "flows/sub/broken.yaml": BROKEN,
    "flows/notes.yaml": "",
  });
  cleanup = p.cleanup;
  const files = ["flows/good.yaml", "flows/sub/broken.yaml", "flows/notes.yaml", "flows/gone.yaml"];
  const abs = files.map((f) => p.path(f));
  const told: number[] = [];
  reader = createDefinitionReader({ onFailed: (m) => expect.fail(`no thread: ${m}`) });
  const offThread = await reader.read(abs, p.root, (done) => told.push(done));

  expect(offThread).toEqual(abs.map((a) => loadDefinitionFile(a, p.root)));
  expect(told).toEqual([1, 2, 3, 4]);
  const [good, broken, , gone] = offThread as (ParsedFile | null)[];
  expect(gone).toBeNull();
  expect(good?.deployments.map((d) => [d.spec.name, d.line])).toEqual([
    ["nightly", 2],
    ["backup", 11],
  ]);
  expect(Number.isNaN(good?.deployments[0]?.spec.parameters.ratio)).toBe(true);
  expect(good?.deployments[0]?.references).toEqual([
    { kind: "secrets", name: "token", where: "flows/good.yaml:5:19" },
  ]);
  expect(broken?.problems.map(renderProblem)).toEqual([
    'flows/sub/broken.yaml:3:11: flow: "./etl.ts" does not exist',
    'flows/sub/broken.yaml:5:15: schedules[0].cron: "61 * * * *" is not a valid cron expression: Invalid value for minute: 61',
    "flows/sub/broken.yaml:6:14: retries: must be >= 0",
    'flows/sub/broken.yaml:8:11: name: deployment "etl" is defined twice in this file (first at line 2)',
    "flows/sub/broken.yaml:10:14: timeout: must be more than 0 (leave it out for no timeout)",
  ]);
});

test("a deployer with a reader deploys what it parsed off the thread, and reports an invalid file with positions", async () => {
  const p = makeProject({
    "flows/etl.ts": "export const named = 1;\n",
    "flows/good.yaml": VALID.replace("{{ secrets.token }}", "plain"),
    "flows/broken.yaml": BROKEN,
  });
  cleanup = p.cleanup;
  reader = createDefinitionReader({ onFailed: (m) => expect.fail(`no thread: ${m}`) });
  const deployer = createDeployer(p.store, p.paths, { reader });
  const phases: string[] = [];
  const report = await deployer.deployAllPaced({
    pacer: { over: () => true, rest: async () => {} },
    onProgress: (progress) => phases.push(`${progress.phase} ${progress.done}/${progress.total}`),
  });
  expect(report.created.sort()).toEqual(["backup", "nightly"]);
  expect(report.invalid.map((bad) => bad.file)).toEqual(["flows/broken.yaml"]);
  expect(report.invalid[0]?.problems.map(renderProblem)).toContain(
    "flows/broken.yaml:6:14: retries: must be >= 0",
  );
  expect(phases.slice(0, 2)).toEqual(["reading 1/2", "reading 2/2"]);
  expect(getDeployment(p.store, "nightly")?.source_line).toBe(2);

  // A change goes the same way.
  p.write("flows/broken.yaml", BROKEN.replace('"61 * * * *"', '"1 * * * *"'));
  const again = await deployer.deployChangedPaced([p.path("flows/broken.yaml")], {
    pacer: { over: () => false, rest: async () => {} },
  });
  expect(again.invalid[0]?.problems.map(renderProblem)).not.toContain(
    expect.stringContaining("cron"),
  );
});

test("a stopped reader refuses to read, and the deployer then reads the files itself", async () => {
  const p = makeProject({
    "flows/good.yaml": 'deployments:\n  - name: a\n    command: ["true"]\n',
  });
  cleanup = p.cleanup;
  reader = createDefinitionReader();
  reader.stop();
  await expect(reader.read([p.path("flows/good.yaml")], p.root)).rejects.toThrow("stopped");
  const deployer = createDeployer(p.store, p.paths, { reader });
  const report = await deployer.deployAllPaced({
    pacer: { over: () => false, rest: async () => {} },
  });
  expect(report.created).toEqual(["a"]);
});

test("a thread's entry is found from the sources and from the compiled executable's chunks", () => {
  expect(
    threadEntryUrl(
      "definitions/parse-worker.ts",
      "file:///home/me/orch/src/definitions/read-off-thread.ts",
    ),
  ).toBe("file:///home/me/orch/src/definitions/parse-worker.ts");
  expect(
    threadEntryUrl(
      "server/retention-worker.ts",
      "file:///home/me/orch/src/server/start-retention.ts",
    ),
  ).toBe("file:///home/me/orch/src/server/retention-worker.ts");
  // Compiled: modules are chunks at the root; the entries keep their paths under src/.
  expect(threadEntryUrl("definitions/parse-worker.ts", "file:///$bunfs/root/chunk-1a2b3c.js")).toBe(
    "file:///$bunfs/root/definitions/parse-worker.ts",
  );
});

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { renderProblem } from "../../src/core/index.ts";
import {
  BUNDLE_MAX_FILES,
  createDeployer,
  materializeBundle,
} from "../../src/definitions/index.ts";
import {
  deploymentToJson,
  getBundle,
  getDeployment,
  listDeployments,
  listEvents,
  listVersions,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

function project(files: Record<string, string>) {
  const p = makeProject(files);
  cleanup = p.cleanup;
  return { ...p, deployer: createDeployer(p.store, p.paths) };
}

const ETL = `deployments:
  - name: etl
    flow: ./etl.ts
    parameters: { limit: 3 }
`;

describe("versions", () => {
  test("the same content never makes a new version; a change of definition or code does", () => {
    const p = project({ "flows/etl.yaml": ETL, "flows/etl.ts": "export default 1;\n" });
    expect(p.deployer.deployAll().created).toEqual(["etl"]);
    expect(p.deployer.deployAll().unchanged).toEqual(["etl"]);
    expect(getDeployment(p.store, "etl")?.version).toBe(1);

    p.write("flows/etl.yaml", ETL.replace("limit: 3", "limit: 4"));
    expect(p.deployer.deployChanged([p.path("flows/etl.yaml")]).updated).toEqual(["etl"]);
    expect(getDeployment(p.store, "etl")?.version).toBe(2);

    p.write("flows/etl.ts", "export default 2;\n");
    expect(p.deployer.deployChanged([p.path("flows/etl.ts")]).updated).toEqual(["etl"]);
    expect(getDeployment(p.store, "etl")?.version).toBe(3);

    // Moving the deployment down the file changes its source line, not its version.
    p.write("flows/etl.yaml", `# a comment\n${ETL.replace("limit: 3", "limit: 4")}`);
    const report = p.deployer.deployChanged([p.path("flows/etl.yaml")]);
    expect(report.unchanged).toEqual(["etl"]);
    expect(getDeployment(p.store, "etl")).toMatchObject({ version: 3, source_line: 3 });
    expect(listVersions(p.store, getDeployment(p.store, "etl")!.id).map((v) => v.version)).toEqual([
      3, 2, 1,
    ]);
  });

  test("a version's bundle keeps the code of that version after the file changes", async () => {
    const p = project({ "flows/etl.yaml": ETL, "flows/etl.ts": "export default 'v1';\n" });
    p.deployer.deployAll();
    const v1 = getDeployment(p.store, "etl")!;
    p.write("flows/etl.ts", "export default 'v2';\n");
    p.deployer.deployChanged([p.path("flows/etl.ts")]);
    const dir = await materializeBundle(p.paths.bundles, getBundle(p.store, v1.bundle!)!);
    expect(readFileSync(join(dir, "etl.ts"), "utf8")).toBe("export default 'v1';\n");
    const v2 = getDeployment(p.store, "etl")!;
    const dir2 = await materializeBundle(p.paths.bundles, getBundle(p.store, v2.bundle!)!);
    expect(readFileSync(join(dir2, "etl.ts"), "utf8")).toBe("export default 'v2';\n");
  });

  test("bundles leave out node_modules, .git, definitions and what .orchignore lists; each content is stored once", () => {
    const p = project({
      "flows/etl.yaml": ETL,
      "flows/etl.ts": "same\n",
      "flows/lib/copy.ts": "same\n",
      "flows/node_modules/x/index.js": "dep\n",
      "flows/.git/HEAD": "ref\n",
      "flows/data/big.csv": "1,2\n",
      "flows/scratch.log": "log\n",
      "flows/.orchignore": "data/\n*.log\n",
    });
    p.deployer.deployAll();
    const bundle = getBundle(p.store, getDeployment(p.store, "etl")!.bundle!)!;
    expect(bundle.files.map((f) => f.path)).toEqual(["etl.ts", "lib/copy.ts"]);
    const objects = new Set(bundle.files.map((f) => f.hash));
    expect(objects.size).toBe(1);
    const [hash] = objects;
    expect(existsSync(join(p.paths.bundles, "objects", hash!.slice(0, 2), hash!))).toBe(true);
  });

  test("a bundle over the cap fails clearly and deploys nothing", () => {
    const files: Record<string, string> = { "flows/etl.yaml": ETL, "flows/etl.ts": "x\n" };
    for (let i = 0; i <= BUNDLE_MAX_FILES; i++) files[`flows/many/f${i}.txt`] = `${i}\n`;
    const p = project(files);
    const report = p.deployer.deployAll();
    expect(report.created).toEqual([]);
    expect(report.invalid[0]?.problems[0]?.message).toMatch(
      /over the cap of 5000 files .*\.orchignore/,
    );
  });
});

describe("schedules", () => {
  test("a time zone written in any case is stored and listed under its canonical name", () => {
    const zoned = (berlin: string) => `deployments:
  - name: zoned
    command: [true]
    schedules:
      - { cron: "0 2 * * *", timezone: ${berlin} }
      - { interval: 1h, timezone: america/new_york }
      - { interval: 15m, timezone: utc }
`;
    const p = project({ "flows/zoned.yaml": zoned("europe/berlin") });
    expect(p.deployer.deployAll().created).toEqual(["zoned"]);
    const listed = listDeployments(p.store).map((row) => deploymentToJson(row));
    expect(listed[0]!.schedules.map((s) => s.timezone)).toEqual([
      "Europe/Berlin",
      "America/New_York",
      "UTC",
    ]);
    // The same zone in another spelling is the same definition: no new version.
    p.write("flows/zoned.yaml", zoned("Europe/Berlin"));
    expect(p.deployer.deployChanged([p.path("flows/zoned.yaml")]).unchanged).toEqual(["zoned"]);
    expect(getDeployment(p.store, "zoned")?.version).toBe(1);
  });
});

describe("work pools", () => {
  test("a definition file sets pool limits and queue priorities; a pool is set in one file only", () => {
    const p = project({
      "flows/pools.yaml": `work_pools:
  - name: gpu
    concurrency: 2
    queues:
      - { name: urgent, priority: 1, concurrency: 1 }
      - { name: batch, priority: 5 }
`,
      "flows/a.yaml":
        "deployments:\n  - name: a\n    command: [true]\n    work_pool: gpu\n    work_queue: urgent\n",
    });
    expect(p.deployer.deployAll().invalid).toEqual([]);
    expect(
      rawSqliteForTests(p.store)
        .query("SELECT name, concurrency_limit FROM work_pools WHERE name = 'gpu'")
        .get(),
    ).toEqual({
      name: "gpu",
      concurrency_limit: 2,
    });
    expect(
      rawSqliteForTests(p.store)
        .query(
          "SELECT name, priority, concurrency_limit FROM work_queues WHERE pool = 'gpu' ORDER BY name",
        )
        .all(),
    ).toEqual([
      { name: "batch", priority: 5, concurrency_limit: null },
      { name: "default", priority: 1, concurrency_limit: null },
      { name: "urgent", priority: 1, concurrency_limit: 1 },
    ]);
    expect(listEvents(p.store, { prefix: "work-pool." }).map((e) => e.resource)).toEqual(["gpu"]);

    p.write("flows/z.yaml", "work_pools:\n  - name: gpu\n    concurrency: 9\n");
    const report = p.deployer.deployChanged([p.path("flows/z.yaml")]);
    expect(report.invalid[0]?.problems[0]?.message).toMatch(
      /work pool "gpu" is also set in flows\/pools.yaml/,
    );
    expect(
      rawSqliteForTests(p.store)
        .query("SELECT concurrency_limit FROM work_pools WHERE name = 'gpu'")
        .get(),
    ).toEqual({
      concurrency_limit: 2,
    });
  });
});

describe("files", () => {
  test("a broken file is reported and its deployments keep their last good version", () => {
    const p = project({ "flows/etl.yaml": ETL, "flows/etl.ts": "x\n" });
    p.deployer.deployAll();
    p.write("flows/etl.yaml", ETL.replace("flow: ./etl.ts", "flow: ./etl.ts\n    retries: many"));
    const report = p.deployer.deployChanged([p.path("flows/etl.yaml")]);
    expect(report.invalid).toEqual([
      {
        file: "flows/etl.yaml",
        problems: [
          { where: "flows/etl.yaml:4:14", message: 'retries: must be an integer, not "many"' },
        ],
      },
    ]);
    expect(getDeployment(p.store, "etl")).toMatchObject({ version: 1, removed_at: null });
    const [event] = listEvents(p.store, { prefix: "deployment.invalid" });
    expect(JSON.parse(event!.payload)).toEqual({
      file: "flows/etl.yaml",
      problems: ['flows/etl.yaml:4:14: retries: must be an integer, not "many"'],
    });
  });

  test("deleting a flow's file keeps the last good version rather than deploying one that cannot run", () => {
    const p = project({ "flows/etl.yaml": ETL, "flows/etl.ts": "export default 1;\n" });
    p.deployer.deployAll();
    rmSync(p.path("flows/etl.ts"));
    const report = p.deployer.deployChanged([p.path("flows/etl.ts")]);
    expect(report.invalid).toEqual([
      {
        file: "flows/etl.yaml",
        problems: [
          {
            where: "flows/etl.yaml:3:11",
            message: 'flow: "./etl.ts" does not exist any more (deleted or renamed)',
          },
        ],
      },
    ]);
    expect(getDeployment(p.store, "etl")?.version).toBe(1);
    p.write("flows/etl.ts", "export default 2;\n");
    expect(p.deployer.deployChanged([p.path("flows/etl.ts")]).updated).toEqual(["etl"]);
  });

  test("the same name in two files is an error naming both; the file that had it keeps it", () => {
    const p = project({ "flows/a.yaml": "deployments:\n  - name: x\n    command: [echo, a]\n" });
    p.deployer.deployAll();
    p.write(
      "flows/b.yaml",
      "deployments:\n  - name: y\n    command: [echo, y]\n  - name: x\n    command: [echo, b]\n",
    );
    const report = p.deployer.deployChanged([p.path("flows/b.yaml")]);
    expect(report.invalid).toEqual([
      {
        file: "flows/b.yaml",
        problems: [
          {
            where: "flows/b.yaml:4:11",
            message:
              'deployment "x" is also defined at flows/a.yaml:2:11; names are unique in a project',
          },
        ],
      },
    ]);
    expect(JSON.parse(getDeployment(p.store, "x")!.spec).command).toEqual(["echo", "a"]);
    expect(getDeployment(p.store, "y")).toBeNull();

    // Once a.yaml lets go of the name, b.yaml deploys.
    p.write("flows/a.yaml", "deployments: []\n");
    const after = p.deployer.deployChanged([p.path("flows/a.yaml")]);
    expect(after.invalid).toEqual([]);
    expect(JSON.parse(getDeployment(p.store, "x")!.spec).command).toEqual(["echo", "b"]);
    expect(getDeployment(p.store, "x")?.source_file).toBe("flows/b.yaml");
  });

  test("a name defined in two files is reported with the file's other problems, in the file's order", () => {
    const p = project({ "flows/a.yaml": "deployments:\n  - name: x\n    command: [echo, a]\n" });
    p.deployer.deployAll();
    p.write("flows/b.yaml", "deployments:\n  - name: x\n    command: [echo]\n    schedule: {}\n");
    const [bad] = p.deployer.deployChanged([p.path("flows/b.yaml")]).invalid;
    expect(bad?.problems.map(renderProblem)).toEqual([
      'flows/b.yaml:2:11: deployment "x" is also defined at flows/a.yaml:2:11; names are unique in a project',
      'flows/b.yaml:4:5: schedule: unknown key (did you mean "schedules"?)',
    ]);
  });

  test("deleting a file, or a deployment from a file, removes it from scheduling; history stays", () => {
    const p = project({
      "flows/a.yaml":
        "deployments:\n  - name: one\n    command: [true]\n  - name: two\n    command: [true]\n",
      "flows/b.yaml": "deployments:\n  - name: three\n    command: [true]\n",
    });
    p.deployer.deployAll();
    p.write("flows/a.yaml", "deployments:\n  - name: one\n    command: [true]\n");
    expect(p.deployer.deployChanged([p.path("flows/a.yaml")]).removed).toEqual(["two"]);
    rmSync(p.path("flows/b.yaml"));
    expect(p.deployer.deployChanged([p.path("flows/b.yaml")]).removed).toEqual(["three"]);
    expect(listDeployments(p.store).map((d) => d.name)).toEqual(["one"]);
    expect(listDeployments(p.store, { all: true }).map((d) => d.name)).toEqual([
      "one",
      "three",
      "two",
    ]);
    expect(listEvents(p.store, { prefix: "deployment.removed" }).map((e) => e.resource)).toEqual([
      "three",
      "two",
    ]);
  });

  test("a changed file is the only one read again", () => {
    const p = project({
      "flows/a.yaml": "deployments:\n  - name: a\n    command: [true]\n",
      "flows/b.yaml": "deployments:\n  - name: b\n    command: [true]\n",
    });
    p.deployer.deployAll();
    // b.yaml breaks on disk with no change event: a redeploy of a.yaml must not read it.
    writeFileSync(p.path("flows/b.yaml"), "deployments: [");
    p.write("flows/a.yaml", "deployments:\n  - name: a\n    command: [false]\n");
    const report = p.deployer.deployChanged([p.path("flows/a.yaml")]);
    expect(report).toMatchObject({ updated: ["a"], invalid: [] });
  });

  test("a file renamed over another (an editor's atomic save) redeploys", () => {
    const p = project({ "flows/a.yaml": "deployments:\n  - name: a\n    command: [true]\n" });
    p.deployer.deployAll();
    writeFileSync(
      p.path("flows/.a.yaml.tmp"),
      "deployments:\n  - name: a\n    command: [echo, new]\n",
    );
    renameSync(p.path("flows/.a.yaml.tmp"), p.path("flows/a.yaml"));
    expect(p.deployer.deployChanged([p.path("flows/a.yaml")]).updated).toEqual(["a"]);
  });
});

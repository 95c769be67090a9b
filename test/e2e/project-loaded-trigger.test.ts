import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, projectServer, tempDir } from "../helpers.ts";

const FLOWS = `deployments:
  - name: on-load
    command: ["sh", "-c", "echo loaded $0 deployments", "{{ parameters.count }}"]
    parameters: { count: 0 }
    triggers:
      - on: project.loaded
        parameters: { count: "{{ event.payload.deployments }}" }
`;

let dir: string;
let cleanup: () => void;
const server = projectServer(() => dir);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/load.yaml"), FLOWS);
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

/** The runs of on-load, once `count` of them have COMPLETED (a deadline, not a sleep). */
async function completedRuns(count: number) {
  let runs: { state: string; parameters: Record<string, unknown> }[] = [];
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await Bun.sleep(100)) {
    const r = await orch(["runs", "ls", "--deployment", "on-load", "--json", "--dir", dir]);
    runs = JSON.parse(r.stdout);
    if (runs.filter((run) => run.state === "COMPLETED").length >= count) break;
  }
  return runs;
}

test("a trigger on project.loaded runs at every start of orch up, the first one too", async () => {
  await server.start();
  const first = await completedRuns(1);
  expect(first).toHaveLength(1);
  expect(first[0]).toMatchObject({ state: "COMPLETED", parameters: { count: 1 } });
  await server.stop();
  await server.start();
  const second = await completedRuns(2);
  expect(second.map((run) => run.state)).toEqual(["COMPLETED", "COMPLETED"]);
});

test("project.* events are orch's own: a typo is refused at deploy, and they cannot be emitted", async () => {
  await Bun.write(
    join(dir, "flows/typo.yaml"),
    'deployments:\n  - name: typo\n    command: ["true"]\n    triggers:\n      - on: project.loadded\n',
  );
  const checked = await orch(["deploy"], { cwd: dir });
  expect(checked.stderr + checked.stdout).toMatch(
    /typo\.yaml:5:\d+: .*"project\.loadded" is not an event orch emits \(did you mean "project\.loaded"\?\)/,
  );
  const emitted = await orch(["events", "emit", "project.loaded"], { cwd: dir });
  expect(emitted.code).toBe(2);
  expect(emitted.stderr).toMatch(/orch's own events/);
});

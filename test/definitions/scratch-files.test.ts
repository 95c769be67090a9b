import { afterEach, expect, test } from "vitest";
import { createDeployer } from "../../src/definitions/index.ts";
import { isScratchFile } from "../../src/definitions/scratch-files.ts";
import { getBundle, getDeployment } from "../../src/store/index.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

// A command's version holds its whole folder: an editor's files beside the definition (vim's
// swap while the file is open, a backup once saved) must not make a save without a change of
// content a new version.
const BACKUP = `deployments:
  - name: backup
    command: ["sh", "./backup.sh"]
`;

test("saving a definition unchanged beside an editor's scratch files keeps its version", () => {
  const p = makeProject({ "flows/backup.yaml": BACKUP, "flows/backup.sh": "echo saved\n" });
  cleanup = p.cleanup;
  const deployer = createDeployer(p.store, p.paths);
  expect(deployer.deployAll().created).toEqual(["backup"]);
  const scratch = [
    "flows/.backup.yaml.swp",
    "flows/.backup.sh.swo",
    "flows/backup.yaml~",
    "flows/#backup.sh#",
    "flows/4913",
    "flows/backup.sh___jb_tmp___",
    "flows/.DS_Store",
    "flows/save.tmp",
  ];
  for (const path of scratch) p.write(path, "an editor's\n");
  p.write("flows/backup.yaml", BACKUP);
  const report = deployer.deployChanged([p.path("flows/backup.yaml")]);
  expect(report.unchanged).toEqual(["backup"]);
  const deployment = getDeployment(p.store, "backup")!;
  expect(deployment.version).toBe(1);
  expect(getBundle(p.store, deployment.bundle!)!.files.map((f) => f.path)).toEqual(["backup.sh"]);
  // A change of what runs is still a new version.
  p.write("flows/backup.sh", "echo saved twice\n");
  expect(deployer.deployChanged([p.path("flows/backup.sh")]).updated).toEqual(["backup"]);
});

test("scratch files are told by editors' own names, not ordinary ones", () => {
  for (const name of ["etl.ts", "run.sh", "notes.md", "swap.py", "4913.csv", "a#b", "tmp"])
    expect(isScratchFile(name), name).toBe(false);
  for (const name of ["etl.ts~", ".etl.ts.swp", ".#etl.ts", "#etl.ts#", "4913", "x.tmp"])
    expect(isScratchFile(name), name).toBe(true);
});

import { afterEach, expect, test } from "vitest";
import { renderProblem } from "../../src/core/index.ts";
import {
  DEFINITION_SCHEMA,
  parseDefinitions,
  resolveInfrastructure,
} from "../../src/definitions/index.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

function parse(yaml: string) {
  const p = makeProject({ "flows/etl.yaml": yaml });
  cleanup = p.cleanup;
  return {
    root: p.root,
    ...parseDefinitions(yaml, { root: p.root, path: p.path("flows/etl.yaml") }),
  };
}

test("a docker pool's template and a deployment's job_variables resolve into one container job", () => {
  const file = parse(`work_pools:
  - name: boxes
    type: docker
    job:
      image: debian:12
      env: { A: 1, B: two }
      labels: { team: data }
      volumes: ["./cache:/cache", "/srv/in:/in:ro"]
      memory: 512m
deployments:
  - name: etl
    command: ["true"]
    work_pool: boxes
    job_variables: { image: "etl:3", env: { B: three }, cpus: 1.5, network: none, auto_remove: false }
`);
  expect(file.problems).toEqual([]);
  const [pool] = file.pools;
  expect(pool?.type).toBe("docker");
  expect(pool?.job?.volumes).toEqual([`${file.root}/flows/cache:/cache`, "/srv/in:/in:ro"]);
  const spec = file.deployments[0]!.spec;
  expect(resolveInfrastructure(pool!, spec.job_variables)).toEqual({
    type: "docker",
    docker: {
      image: "etl:3",
      pull: "if-missing",
      env: { A: "1", B: "three" },
      volumes: [`${file.root}/flows/cache:/cache`, "/srv/in:/in:ro"],
      network: "none",
      cpus: 1.5,
      memory_bytes: 512 * 1024 * 1024,
      user: null,
      workdir: null,
      labels: { team: "data" },
      auto_remove: false,
    },
  });
  // A process pool (or none declared) runs processes whatever the deployment says.
  expect(resolveInfrastructure({ type: "process", job: null }, { image: "x" })).toEqual({
    type: "process",
  });
  expect(resolveInfrastructure(null, undefined)).toEqual({ type: "process" });
});

test("bad templates and job_variables are reported with file:line:col", () => {
  const problems = parse(`work_pools:
  - name: boxes
    type: docker
    job:
      pull: sometimes
      memory: lots
      volumes: ["nocolon", "/a:relative", "/a:/b:rx"]
      workdir: app
      labels: { orch.run-id: x }
      gpus: 1
  - name: plain
    job: { image: x }
  - name: kube
    type: kubernetes
deployments:
  - name: etl
    command: ["true"]
    work_pool: boxes
    job_variables: { cpus: 0, imagee: x }
`).problems.map(renderProblem);
  expect(problems).toEqual([
    'flows/etl.yaml:5:7: work_pools[0].job: a docker pool needs "job: { image: ... }", the image its runs start from',
    'flows/etl.yaml:5:13: work_pools[0].job.pull: must be one of "never", "if-missing", "always", not "sometimes"',
    'flows/etl.yaml:6:15: work_pools[0].job.memory: "lots" is not valid: it must be a size such as "512m" or "2g", or a number of bytes',
    'flows/etl.yaml:10:7: work_pools[0].job.gpus: unknown key (did you mean "cpus"?)',
    'flows/etl.yaml:12:10: work_pools[1].job: a process pool takes no job template; set "type: docker" to run containers',
    'flows/etl.yaml:14:11: work_pools[2].type: must be one of "process", "docker", not "kubernetes"',
    "flows/etl.yaml:19:28: job_variables.cpus: must be > 0",
    'flows/etl.yaml:19:31: job_variables.imagee: unknown key (did you mean "image"?)',
  ]);
});

test("volume forms, container paths and orch's labels are checked once the image is there", () => {
  const problems = parse(`work_pools:
  - name: boxes
    type: docker
    job:
      image: debian:12
      volumes: ["nocolon", "/a:relative", "/a:/b:rx"]
      workdir: app
      labels: { orch.run-id: x }
`).problems.map(renderProblem);
  expect(problems).toEqual([
    'flows/etl.yaml:6:17: work_pools[0].job.volumes[0]: "nocolon" must be "host:container" or "host:container:ro"',
    'flows/etl.yaml:6:28: work_pools[0].job.volumes[1]: the container path "relative" must be absolute',
    'flows/etl.yaml:6:43: work_pools[0].job.volumes[2]: the mode "rx" must be ro or rw',
    'flows/etl.yaml:7:16: work_pools[0].job.workdir: "app" must be an absolute path in the container',
    "flows/etl.yaml:8:17: work_pools[0].job.labels.orch.run-id: orch.* labels are orch's own",
  ]);
});

test("orch schema publishes pool types, the job template and job_variables", () => {
  const pool = DEFINITION_SCHEMA.properties.work_pools.items.properties;
  expect(pool.type.enum).toEqual(["process", "docker"]);
  expect(Object.keys(pool.job.properties)).toEqual([
    "image",
    "pull",
    "env",
    "volumes",
    "network",
    "cpus",
    "memory",
    "user",
    "workdir",
    "labels",
    "auto_remove",
  ]);
  const deployment = DEFINITION_SCHEMA.properties.deployments.items.properties;
  expect(Object.keys(deployment.job_variables.properties)).toEqual(
    Object.keys(pool.job.properties),
  );
});

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, projectServer, tempDir } from "../helpers.ts";

// A TypeScript flow imports the project's npm packages, as a package manager leaves them in
// node_modules/: packages with an `exports` map (conditions, a subpath, a pattern), a scoped one,
// and one package importing another. Through the compiled binary, ad hoc and as a deployment.

const PACKAGES: Record<string, string> = {
  "node_modules/greeter/package.json": JSON.stringify({
    name: "greeter",
    version: "1.0.0",
    type: "module",
    exports: {
      ".": {
        types: "./types/index.d.ts",
        import: "./esm/index.js",
        require: "./cjs/index.cjs",
      },
      "./util": { default: "./lib/util.js" },
      "./feature/*": "./features/*.js",
      "./package.json": "./package.json",
    },
  }),
  // Its entry imports another package, the scoped one.
  "node_modules/greeter/esm/index.js": `import { word } from "@acme/words";
export const greet = (name) => \`\${word} \${name} (esm)\`;
`,
  "node_modules/greeter/cjs/index.cjs": `exports.greet = (name) => "hello " + name + " (cjs)";\n`,
  "node_modules/greeter/lib/util.js": `export const shout = (text) => text.toUpperCase() + "!";\n`,
  "node_modules/greeter/features/wave.js": `export const wave = () => "o/";\n`,
  // Nested conditions: the import condition holds its own, of which the runtime's matches.
  "node_modules/@acme/words/package.json": JSON.stringify({
    name: "@acme/words",
    version: "2.0.0",
    exports: {
      ".": {
        import: { bun: "./bun.mjs", node: "./node.mjs", default: "./plain.mjs" },
        default: "./plain.cjs",
      },
    },
  }),
  "node_modules/@acme/words/bun.mjs": `export const word = "hello";\n`,
  "node_modules/@acme/words/node.mjs": `export const word = "hi from node";\n`,
  "node_modules/@acme/words/plain.mjs": `export const word = "hi from plain";\n`,
  "node_modules/@acme/words/plain.cjs": `exports.word = "hi from cjs";\n`,
};

const FLOW = `import { flow } from "orch";
import { greet } from "greeter";
import { shout } from "greeter/util";
import { wave } from "greeter/feature/wave";
import meta from "greeter/package.json" with { type: "json" };
export default flow("deps", async ({ name }: { name: string }) => {
  console.log(shout(greet(name)), wave(), "greeter", meta.version);
});
`;

const EXPECTED = "HELLO WORLD (ESM)! o/ greeter 1.0.0";

const project = tempDir("orch-packages-");
const server = projectServer(() => project.dir);

function write(path: string, text: string): void {
  mkdirSync(dirname(join(project.dir, path)), { recursive: true });
  writeFileSync(join(project.dir, path), text);
}

beforeAll(() => {
  for (const [path, text] of Object.entries(PACKAGES)) write(path, text);
  write("flows/deps.ts", FLOW);
  write(
    "flows/deps.yaml",
    "deployments:\n  - name: deps\n    flow: ./deps.ts\n    parameters: { name: world }\n",
  );
  // Another project, importing a package nobody installed.
  const missing =
    'import { flow } from "orch";\nimport { nothing } from "not-installed/sub";\nexport default flow("missing", async () => nothing);\n';
  write("scratch/missing.ts", missing);
  write("scratch/flows/missing.ts", missing);
  write("scratch/flows/missing.yaml", "deployments:\n  - name: missing\n    flow: ./missing.ts\n");
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
});

describe("a TypeScript flow importing installed packages", () => {
  test("orch flow run loads packages by their exports map, a subpath, a pattern and a scoped dependency", async () => {
    const r = await orch(["flow", "run", "flows/deps.ts", "-p", "name=world"], {
      cwd: project.dir,
    });
    expect(r.stderr).toContain("COMPLETED");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(EXPECTED);
  });

  test("orch deploy --check loads the flow, and a deployment's run imports the packages", async () => {
    const check = await orch(["deploy", "--check"], { cwd: project.dir });
    expect(check.stderr).not.toContain("does not load");
    expect(check.code).toBe(0);
    await server.start();
    await server.waitForLog("deployed deps");
    const r = await orch(["run", "deps", "--watch"], { cwd: project.dir });
    expect(r.stderr).toContain("COMPLETED");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(EXPECTED);
  });

  test("a package that is not installed is named, with what to do, by a run and by a check", async () => {
    const r = await orch(["flow", "run", "scratch/missing.ts"], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "FAILED (exit code 2): missing.ts imports not-installed/sub, but package not-installed is not installed where the flow runs: install it in the project (npm install not-installed)",
    );
    const check = await orch(["deploy", "--check"], { cwd: join(project.dir, "scratch") });
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(
      "flows/missing.yaml:3:11: flow ./missing.ts does not load: missing.ts imports not-installed/sub, but package not-installed is not installed",
    );
  });
});

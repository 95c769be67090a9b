import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient, createWorkerClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { createBundleCache } from "../../src/worker/bundle-cache.ts";
import { tempDir } from "../helpers.ts";

const SCRIPT = "echo job\n";
let server: OrchServer;
let cleanup: () => void;
let wc: ReturnType<typeof createWorkerClient>;
let bundle: string;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  await Bun.write(
    `${t.dir}/flows/a.yaml`,
    'deployments:\n  - name: job\n    command: ["sh", "./job.sh"]\n',
  );
  await Bun.write(`${t.dir}/flows/job.sh`, SCRIPT);
  await Bun.write(`${t.dir}/flows/again.sh`, SCRIPT);
  server = await startServer({ dir: t.dir, port: 0, worker: false });
  const client = createClient({ url: server.url, token: server.token });
  wc = createWorkerClient(client);
  const worker = await wc.register({
    name: "cache",
    pool: "default",
    host: "here",
    concurrency: 1,
  });
  await client.triggerRun("job");
  const { jobs } = await wc.claim(worker.id, { limit: 1 });
  bundle = jobs[0]!.bundle!;
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

test("a bundle is kept once on a worker (its files, no second copy), and checked again before use", async () => {
  const cache = tempDir("orch-bundle-cache-");
  try {
    const dir = await createBundleCache(cache.dir, wc)(bundle);
    expect(dir).toBe(join(cache.dir, "trees", bundle));
    expect(readFileSync(join(dir, "job.sh"), "utf8")).toBe(SCRIPT);
    // One copy of each file: the tree, nothing beside it.
    expect(readdirSync(cache.dir)).toEqual(["trees"]);
    expect(readdirSync(join(cache.dir, "trees"))).toEqual([bundle]);

    // A file changed on disk (and one added) is found by the next worker before any run uses it.
    chmodSync(join(dir, "job.sh"), 0o644);
    writeFileSync(join(dir, "job.sh"), "echo tampered\n");
    writeFileSync(join(dir, "extra.sh"), "echo extra\n");
    const again = await createBundleCache(cache.dir, wc)(bundle);
    expect(again).toBe(dir);
    expect(readFileSync(join(dir, "job.sh"), "utf8")).toBe(SCRIPT);
    expect(existsSync(join(dir, "extra.sh"))).toBe(false);
  } finally {
    cache.cleanup();
  }
});

test("a file that arrives with the wrong content is refused, and nothing of the bundle is kept", async () => {
  const cache = tempDir("orch-bundle-cache-");
  try {
    // The real server's answers, with one byte changed on the way (a broken proxy, a bad disk).
    const mangled = {
      getBundle: (hash: string) => wc.getBundle(hash),
      getObject: async (hash: string, object: string) => {
        const data = await wc.getObject(hash, object);
        data[0] = data[0]! ^ 1;
        return data;
      },
    };
    await expect(createBundleCache(cache.dir, mangled)(bundle)).rejects.toThrow(
      /arrived with the wrong content/,
    );
    expect(readdirSync(join(cache.dir, "trees"))).toEqual([]);
  } finally {
    cache.cleanup();
  }
});

test("a cache of the old layout loses its second copy of every file (objects/) once, not a server's own", async () => {
  const cache = tempDir("orch-bundle-cache-");
  try {
    const bundles = join(cache.dir, "bundles");
    const object = join(bundles, "objects", "ab", "cd".repeat(31));
    mkdirSync(dirname(object), { recursive: true });
    writeFileSync(object, SCRIPT);
    await createBundleCache(bundles, wc)(bundle);
    expect(readdirSync(bundles)).toEqual(["trees"]);

    // ORCH_HOME shared with a server on this machine: its store beside, its objects kept.
    const shared = join(cache.dir, "home");
    const kept = join(shared, "bundles", "objects", "ab", "cd".repeat(31));
    mkdirSync(dirname(kept), { recursive: true });
    writeFileSync(kept, SCRIPT);
    writeFileSync(join(shared, "orch.db"), "");
    await createBundleCache(join(shared, "bundles"), wc)(bundle);
    expect(readFileSync(kept, "utf8")).toBe(SCRIPT);
  } finally {
    cache.cleanup();
  }
});

import { writeFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { findServer } from "../../src/client/index.ts";
import { projectPaths, writeServerFile } from "../../src/core/index.ts";
import { ensureDataDir } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

test("the project's token goes to the project's own server only, however its URL is written", () => {
  const t = tempDir();
  cleanup = t.cleanup;
  const paths = projectPaths(t.dir, {});
  ensureDataDir(paths);
  writeFileSync(paths.token, "secret\n");
  writeServerFile(paths.serverFile, {
    url: "http://127.0.0.1:4200",
    pid: process.pid,
    started_at: "",
    version: "",
  });
  expect(findServer(paths, {}, {})).toMatchObject({
    url: "http://127.0.0.1:4200",
    token: "secret",
  });
  expect(findServer(paths, { api: "http://localhost:4200/" }, {})?.token).toBe("secret");
  expect(findServer(paths, { api: "http://example.com:4200" }, {})?.token).toBeUndefined();
  expect(findServer(paths, { api: "http://127.0.0.1:4300" }, {})?.token).toBeUndefined();
  expect(
    findServer(paths, {}, { ORCH_API_URL: "http://example.com", ORCH_API_TOKEN: "given" })?.token,
  ).toBe("given");
});

test("a server whose process has ended is not found, even before its parent reaps it", async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  const paths = projectPaths(t.dir, {});
  ensureDataDir(paths);
  const write = (pid: number) =>
    writeServerFile(paths.serverFile, {
      url: "http://127.0.0.1:4200",
      pid,
      started_at: "",
      version: "",
    });
  // A child that ended, whose parent (sleep, after exec) never reaps it: a zombie.
  const parent = Bun.spawn(["sh", "-c", "sleep 0.2 & echo $!; exec sleep 30"], { stdout: "pipe" });
  try {
    const reader = parent.stdout.getReader();
    const zombie = Number(new TextDecoder().decode((await reader.read()).value).trim());
    for (const deadline = Date.now() + 10_000; ; await Bun.sleep(20)) {
      const stat = await Bun.file(`/proc/${zombie}/stat`).text();
      if (stat[stat.lastIndexOf(")") + 2] === "Z") break;
      if (Date.now() > deadline) throw new Error(`${zombie} did not end`);
    }
    write(zombie);
    expect(findServer(paths, {}, {})).toBeNull();
    write(parent.pid);
    expect(findServer(paths, {}, {})).toMatchObject({ url: "http://127.0.0.1:4200" });
  } finally {
    parent.kill();
    await parent.exited;
  }
});

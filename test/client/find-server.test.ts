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

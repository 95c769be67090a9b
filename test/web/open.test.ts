import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// orch open on the compiled binary: a fresh one-time login link to the project's server.
describe("orch open", () => {
  let project: ReturnType<typeof tempDir>;
  let up: ReturnType<typeof spawnOrch>;

  beforeAll(async () => {
    project = tempDir("orch-web-open-");
    expect((await orch(["init", project.dir])).code).toBe(0);
    up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir]);
    await up.waitFor("web UI: ", 20_000);
  });
  afterAll(async () => {
    up?.proc.kill("SIGTERM");
    await up?.proc.exited;
    project?.cleanup();
  });

  test("--print prints a link that logs a browser in once", async () => {
    const opened = await orch(["open", "--print", "--dir", project.dir]);
    expect(opened.code).toBe(0);
    const url = opened.stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?code=[\w-]+$/);
    const first = await fetch(url, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("set-cookie")).toContain("HttpOnly");
    expect((await fetch(url, { redirect: "manual" })).status).toBe(403);
  });

  test("with no browser to start, it prints the link and says so", async () => {
    const opened = await orch(["open", "--dir", project.dir], { env: { PATH: "/nonexistent" } });
    expect(opened.code).toBe(0);
    expect(opened.stderr).toContain("no browser to open here");
    expect(opened.stdout.trim()).toMatch(/\/login\?code=/);
  });

  test("with no server running, it says how to start one", async () => {
    const empty = tempDir("orch-web-open-none-");
    try {
      await orch(["init", empty.dir]);
      const opened = await orch(["open", "--print", "--dir", empty.dir]);
      expect(opened.code).not.toBe(0);
      expect(opened.stderr).toContain("orch up");
    } finally {
      empty.cleanup();
    }
  });
});

import { expect, test } from "vitest";
import { orch, tempDir } from "../helpers.ts";

// Bad input to the commands that reach a server is said at once, exit 2: not retried forever
// (a worker) or reported as a server that cannot be reached (exit 1).
const URL_RULE = "--api must be an http(s) URL like http://127.0.0.1:8080";

test("an --api that is not an http(s) URL is bad input for orch worker and orch runs ls", async () => {
  const here = tempDir("orch-input-");
  try {
    const worker = await orch(["worker", "--pool", "default", "--api", "notaurl"], {
      cwd: here.dir,
      env: { ORCH_API_TOKEN: "t" },
    });
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain(`${URL_RULE}, not "notaurl"`);
    const ls = await orch(["runs", "ls", "--api", "ftp://127.0.0.1:8080"], { cwd: here.dir });
    expect(ls.code).toBe(2);
    expect(ls.stderr).toContain(URL_RULE);
    const fromEnv = await orch(["runs", "ls"], {
      cwd: here.dir,
      env: { ORCH_API_URL: "notaurl" },
    });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain("ORCH_API_URL must be an http(s) URL");
  } finally {
    here.cleanup();
  }
});

test("orch worker refuses a pool name that definitions refuse", async () => {
  const here = tempDir("orch-input-");
  try {
    const bad = await orch(["worker", "--pool", "bad!name", "--api", "http://127.0.0.1:9"], {
      cwd: here.dir,
      env: { ORCH_API_TOKEN: "t" },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--pool "bad!name": a pool name must start with a letter or digit',
    );
  } finally {
    here.cleanup();
  }
});

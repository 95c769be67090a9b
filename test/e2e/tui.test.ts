import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ORCH, spawnOrch, tempDir } from "../helpers.ts";
import { createTmux } from "./tui-tmux.ts";

const FLOWS = `deployments:
  - name: hello
    command: ["sh", "-c", "echo hello, {{ parameters.name }}"]
    parameters: { name: world }
    parameter_schema:
      type: object
      properties: { name: { type: string, minLength: 1 } }
  - name: nightly
    command: ["true"]
    schedules:
      - cron: "0 3 * * *"
`;

let t: ReturnType<typeof tempDir>;
let term: ReturnType<typeof createTmux>;

beforeEach(async () => {
  t = tempDir("orch-tui-e2e-");
  await Bun.write(join(t.dir, "flows/hello.yaml"), FLOWS);
  term = createTmux();
});

afterEach(() => {
  term.kill();
  t.cleanup();
});

describe("the monitor, driven in tmux", () => {
  test("orch up: sees the deployments, triggers with r, sees COMPLETED, opens the logs, quits with q", async () => {
    // CI=1 is set on purpose: Ink draws nothing in CI mode, and the monitor must not care.
    term.start(`CI=1 ${ORCH} up --port 0; echo "EXITED=$?"`, t.dir);
    // The header says online once the live stream is open, which may come a frame after the
    // data: wait for both on one screen.
    await term.waitFor([
      /orch up http:\/\/127\.0\.0\.1:\d+ ● online/,
      "Deployments (2)",
      /[›·] hello| {2}hello/,
      /nightly\s+.*03:00/,
    ]);

    // shift-tab: the deployments pane, where hello (the first) is selected; r triggers it.
    term.keys("BTab");
    term.keys("r");
    await term.waitFor(["Trigger hello", /name\s+world/]);
    term.keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace");
    term.keys("t", "m", "u", "x");
    term.keys("Enter");
    await term.waitFor([
      /[›·] [0-9a-f]{8}\s+hello\s+COMPLETED/,
      /triggered hello: run [0-9a-f]{8}/,
    ]);
    // The selected run's logs tail in the log pane.
    await term.waitFor(/Logs [0-9a-f]{8} hello[\s\S]*hello, tmux/);

    // enter: the run's details, with its state timeline and its logs.
    term.keys("Enter");
    // The timeline is fetched when the details open ("loading…" until then): wait for it.
    await term.waitFor([
      /state timeline[\s\S]*RUNNING[\s\S]*COMPLETED/,
      /exit code\s+0/,
      /name = "tmux"/,
      "hello, tmux",
    ]);

    term.keys("Escape");
    await term.waitFor("Deployments (2)");
    term.keys("q");
    await term.waitFor(["EXITED=0", /orch at http:\/\/127\.0\.0\.1:\d+ stopped/]);
    expect(existsSync(join(t.dir, ".orch/server.json"))).toBe(false);
  });

  test("orch monitor attaches to a running server, and q leaves the server running", async () => {
    const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir]);
    try {
      await up.waitFor("orch is up at");
      term.start(`${ORCH} monitor; echo "EXITED=$?"`, t.dir);
      await term.waitFor(/orch monitor http:\/\/127\.0\.0\.1:\d+ ● online[\s\S]*nightly/);
      term.keys("q");
      await term.waitFor("EXITED=0");
      expect(up.proc.exitCode).toBeNull();
    } finally {
      up.proc.kill("SIGTERM");
      await up.proc.exited;
    }
  });
});

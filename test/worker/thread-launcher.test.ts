import { describe, expect, test } from "vitest";
import { createThreadLauncher } from "../../src/worker/launch-process.ts";
import { processStartTime, signalGroup } from "../../src/worker/process-tree.ts";

describe("the spawning thread", () => {
  test("starts a run's process and tells its pid with its start time, its output and its end", async () => {
    const launcher = createThreadLauncher();
    expect(launcher).not.toBeNull();
    const marker = `orch-thread-launcher-${process.pid}-${Date.now()}`;
    try {
      const proc = await launcher!.launch({
        argv: ["sh", "-c", 'echo "$MARK"; sleep 30'],
        cwd: process.cwd(),
        env: { PATH: process.env.PATH, MARK: marker },
      });
      const out = proc.stdout.getReader();
      const first = new TextDecoder().decode((await out.read()).value);
      expect(first).toBe(`${marker}\n`);
      // The thread read it while the process ran: the same as /proc tells now (null without /proc).
      expect(proc.pidStarted).toBe(processStartTime(proc.pid));
      if (process.platform === "linux") expect(proc.pidStarted).toMatch(/^\d+$/);
      expect(signalGroup(proc.pid, "SIGKILL")).toBe(true);
      await proc.exited;
      expect(proc.signalCode).toBe("SIGKILL");
    } finally {
      launcher!.stop();
    }
  });
});

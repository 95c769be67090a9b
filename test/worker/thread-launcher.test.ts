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

  test("follows a process's pipes past its exit: what it left running still writes, and the pipe closes once that ends too", async () => {
    const launcher = createThreadLauncher();
    try {
      const proc = await launcher!.launch({
        argv: ["sh", "-c", "echo main; (sleep 0.3; echo left) & exit 3"],
        cwd: process.cwd(),
        env: { PATH: process.env.PATH },
      });
      const output = new Response(proc.stdout).text();
      await proc.exited;
      expect(proc.exitCode).toBe(3);
      // Read to its end: the line written after the exit arrives, and the pipe then closes.
      expect(await output).toBe("main\nleft\n");
      // A process that closes its pipes as it exits: its pipes end empty, its exit is told.
      const quiet = await launcher!.launch({
        argv: ["true"],
        cwd: process.cwd(),
        env: { PATH: process.env.PATH },
      });
      const [out, err] = await Promise.all([
        new Response(quiet.stdout).text(),
        new Response(quiet.stderr).text(),
        quiet.exited,
      ]);
      expect([out, err, quiet.exitCode]).toEqual(["", "", 0]);
    } finally {
      launcher!.stop();
    }
  });
});

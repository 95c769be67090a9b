/** Driving the compiled monitor in a terminal of its own, for the TUI end-to-end tests. */

/** A tmux of its own (its own socket), so the session gets this process's environment. */
export function createTmux() {
  const socket = `orch-tui-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) => {
    const r = Bun.spawnSync(["tmux", "-L", socket, ...args], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr.toString()}`);
    return r.stdout.toString();
  };
  return {
    /**
     * Run `command` in a 120x40 terminal. The shell then waits on the terminal (`read`), so the
     * last screen stays readable until kill-server hangs it up; no process is left behind.
     */
    start(command: string, cwd: string) {
      const kept = `${command}; read -r _`;
      tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "-c", cwd, kept);
    },
    screen: () => tmux("capture-pane", "-p", "-t", "t"),
    keys: (...keys: string[]) => void tmux("send-keys", "-t", "t", ...keys),
    /**
     * Poll the screen until every pattern shows on the same capture (bounded). One wait for all
     * that a step shows: a capture may catch a frame half drawn, so a second look could miss.
     */
    async waitFor(patterns: string | RegExp | (string | RegExp)[], ms = 10_000): Promise<string> {
      const all = Array.isArray(patterns) ? patterns : [patterns];
      const deadline = Date.now() + ms;
      for (;;) {
        const screen = tmux("capture-pane", "-p", "-t", "t");
        if (all.every((p) => (typeof p === "string" ? screen.includes(p) : p.test(screen)))) {
          return screen;
        }
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${all.join(" and ")}; the screen:\n${screen}`);
        }
        await Bun.sleep(50);
      }
    },
    /** Poll until `check` holds for the screen (it may ask the API too); bounded. */
    async until(
      what: string,
      check: (screen: string) => boolean | Promise<boolean>,
      ms = 15_000,
    ): Promise<string> {
      const deadline = Date.now() + ms;
      for (;;) {
        const screen = tmux("capture-pane", "-p", "-t", "t");
        if (await check(screen)) return screen;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
        await Bun.sleep(50);
      }
    },
    kill() {
      try {
        tmux("kill-server");
      } catch {}
    },
  };
}

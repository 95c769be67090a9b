#!/usr/bin/env bun
import { write } from "./core/stdio.ts";
/**
 * orch's entry. Loads only what the command in argv needs: `--version` prints at once, a flow
 * run loads the SDK and nothing else, every other command loads the CLI and then its own module.
 */
import { VERSION } from "./core/version.ts";

async function main(argv: string[]): Promise<void> {
  const first = argv[0];
  if (argv.length === 1 && (first === "--version" || first === "-v" || first === "version")) {
    write("stdout", `${VERSION}\n`);
  } else if (first === "__flow-run") {
    // Internal: a worker runs a TypeScript flow through orch itself.
    const { exitAfterFlow, runFlow } = await import("./sdk/run-flow.ts");
    exitAfterFlow(await runFlow(argv.slice(1)));
  } else if (first === "__flow-describe") {
    // Internal: orch deploy reads what a TypeScript flow declares, without running it.
    const [{ exitAfterFlow }, { describeFlow }] = await Promise.all([
      import("./sdk/run-flow.ts"),
      import("./sdk/describe-flow.ts"),
    ]);
    exitAfterFlow(await describeFlow(argv.slice(1)));
  } else if (first === "__record") {
    // Internal: a flow called from a plain program records into the store through this.
    const { serveRecorder } = await import("./cli/record-local.ts");
    await serveRecorder(argv.slice(1));
  } else {
    const { runCli } = await import("./cli/index.ts");
    await runCli(argv);
  }
}

void main(process.argv.slice(2));

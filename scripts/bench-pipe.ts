/**
 * The floor of log capture, for the logs figures' same-run baseline: how many lines per second
 * this process reads from `seq 1 N` through a pipe, counting newlines and storing nothing.
 */
export async function pipeLinesPerSecond(lines: number): Promise<number> {
  const started = performance.now();
  const proc = Bun.spawn(["seq", "1", String(lines)], { stdout: "pipe" });
  let read = 0;
  for await (const chunk of proc.stdout) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) read++;
  }
  await proc.exited;
  if (read !== lines) throw new Error(`read ${read} of ${lines} lines through the pipe`);
  return Math.round(read / ((performance.now() - started) / 1000));
}

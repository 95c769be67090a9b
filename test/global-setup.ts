/** Builds dist/orch once before the suite, so end-to-end tests run the real executable. */
export default async function setup(): Promise<void> {
  const build = Bun.spawn(["bun", "scripts/build.ts"], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(build.stdout).text(),
    new Response(build.stderr).text(),
    build.exited,
  ]);
  if (code !== 0) throw new Error(`building dist/orch failed:\n${out}${err}`);
}

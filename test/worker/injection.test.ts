import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { hostileValues } from "../hostile-values.ts";
import { createLab, type Lab } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

/** Commands printing parameter v on its own line, with the placeholder in each kind of place. */
const COMMANDS: Record<string, string[]> = {
  argv: ["printf", "%s\\n", "{{ parameters.v }}"],
  "after a script": ["sh", "-c", 'printf "%s\\n" "$1"', "print", "{{ parameters.v }}"],
  "sh -c, unquoted": ["sh", "-c", "printf '%s\\n' {{ parameters.v }}"],
  "bash -c, double quotes": ["bash", "-c", 'printf "%s\\n" "{{ parameters.v }}"'],
  "sh -c, single quotes": ["sh", "-c", "printf '%s\\n' '{{ parameters.v }}'"],
  "bash -c, $'...'": ["bash", "-c", "printf '%s\\n' $'{{ parameters.v }}'"],
  "sh -ec, $( )": ["sh", "-ec", 'printf "%s\\n" "$(printf "%s" {{ parameters.v }})"'],
  "sh -c, here-document": ["sh", "-c", "cat <<EOF\n{{ parameters.v }}\nEOF"],
};

test.each(Object.entries(COMMANDS))(
  "a parameter in %s arrives as data, never as code",
  async (_, command) => {
    const marker = join(lab.dir, "pwned");
    const values = hostileValues(marker);
    const d = lab.deploy({ name: "print", command, parameters: { v: "" } });
    await lab.startWorker({ concurrency: 4 });
    const runs = values.map((v) => lab.trigger(d, { v }));
    for (const [i, run] of runs.entries()) {
      const done = await lab.waitFor(run.id, ["COMPLETED", "FAILED", "CRASHED"]);
      expect(done.state_type, `${values[i]}: ${done.state_message}`).toBe("COMPLETED");
      expect(lab.logs(run).join("\n")).toBe(values[i]);
    }
    expect(existsSync(marker)).toBe(false);
  },
);

test("a placeholder bash evaluates as arithmetic takes only numbers, so a hostile value runs nothing", async () => {
  const marker = join(lab.dir, "pwned");
  const d = lab.deploy({
    name: "compare",
    command: ["bash", "-c", "[[ {{ parameters.n }} -gt 2 ]] && echo big || echo small"],
    parameters: { n: 1 },
  });
  await lab.startWorker();
  const hostile = lab.trigger(d, { n: `a[$(touch ${marker})]` });
  const failed = await lab.waitFor(hostile.id, ["FAILED", "CRASHED", "COMPLETED"]);
  expect(failed.state_type).toBe("FAILED");
  expect(failed.state_message).toContain("it must be a number");
  expect(existsSync(marker)).toBe(false);
  const fine = lab.trigger(d, { n: 5 });
  await lab.waitFor(fine.id, "COMPLETED");
  expect(lab.logs(fine)).toEqual(["big"]);
});

test("a placeholder in code another program runs (perl -pe, awk) fails the run before anything starts", async () => {
  const marker = join(lab.dir, "pwned");
  const perl = lab.deploy({
    name: "perl",
    command: ["perl", "-pe", "s/a/{{ parameters.x }}/", "/dev/null"],
    parameters: { x: "" },
  });
  const awk = lab.deploy({
    name: "awk",
    command: ["awk", `BEGIN { print "{{ parameters.x }}" }`],
    parameters: { x: "" },
  });
  await lab.startWorker();
  for (const d of [perl, awk]) {
    const run = lab.trigger(d, { x: `/;system("touch ${marker}");s/a/` });
    const done = await lab.waitFor(run.id, ["FAILED", "CRASHED", "COMPLETED"]);
    expect(done.state_type).toBe("FAILED");
    expect(done.state_message).toContain("where its value would run as code");
  }
  expect(existsSync(marker)).toBe(false);
});

test("a placeholder a script would paste into code (python3 -c, eval) fails the run before anything starts", async () => {
  const marker = join(lab.dir, "pwned");
  const python = lab.deploy({
    name: "python",
    command: ["sh", "-c", `python3 -c "print('{{ parameters.x }}')"`],
    parameters: { x: "" },
  });
  const evaluated = lab.deploy({
    name: "eval",
    command: ["sh", "-c", `eval "echo {{ parameters.x }}"`],
    parameters: { x: "" },
  });
  await lab.startWorker();
  for (const d of [python, evaluated]) {
    const run = lab.trigger(d, {
      x: `');import os;os.system('touch ${marker}')#$(touch ${marker})`,
    });
    const done = await lab.waitFor(run.id, ["FAILED", "CRASHED", "COMPLETED"]);
    expect(done.state_type).toBe("FAILED");
    expect(done.state_message).toContain("which the shell builds from the value");
  }
  expect(existsSync(marker)).toBe(false);
});

test("a parameter or the run's time in an env value arrives in the variable as data", async () => {
  const marker = join(lab.dir, "pwned");
  const values = hostileValues(marker);
  const d = lab.deploy({
    name: "env",
    command: ["sh", "-c", 'printf "%s\\n" "$V" "$N" "$AT" "$FMT"'],
    parameters: { v: "", n: { a: 1 } },
    env: {
      V: "{{ parameters.v }}",
      N: "n={{parameters.n}}",
      AT: "{{ run.scheduled_at }}",
      // Not orch's: a template of the program's own, kept as written.
      FMT: "{{.Names}}",
    },
  });
  await lab.startWorker({ concurrency: 4 });
  const runs = values.map((v) => lab.trigger(d, { v }));
  for (const [i, run] of runs.entries()) {
    const done = await lab.waitFor(run.id, ["COMPLETED", "FAILED", "CRASHED"]);
    expect(done.state_type, `${values[i]}: ${done.state_message}`).toBe("COMPLETED");
    const scheduled = new Date(done.slot_at ?? done.scheduled_at).toISOString();
    expect(lab.logs(run).join("\n")).toBe(`${values[i]}\nn={"a":1}\n${scheduled}\n{{.Names}}`);
  }
  expect(existsSync(marker)).toBe(false);
});

import { expect, test } from "vitest";
import { createPacer, runPaced, type Sliced } from "../../src/core/slices.ts";

// Long work in the server runs in slices with requests answered between them. A redeploy and
// the planning of what it deployed run at once, on one pacer: they take turns, one slice per
// turn of the event loop, so a request never waits behind a slice of each.

test("passes sharing a pacer work one slice per turn of the event loop, each in turn", async () => {
  const pacer = createPacer(1);
  // Turns of the event loop, counted by an immediate that sets itself again (once per turn)
  // and works a while each turn, as a request being answered does: both passes' rests are over
  // by its end.
  let turn = 0;
  let counting = true;
  const count = () => {
    turn++;
    const until = performance.now() + 3;
    while (performance.now() < until) {}
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const slices: { pass: string; turn: number }[] = [];
  function* pass(name: string): Sliced<void> {
    for (let slice = 0; slice < 6; slice++) {
      slices.push({ pass: name, turn });
      // A slice works until the pacer says it is over.
      while (!pacer.over()) {}
      yield;
    }
  }
  await Promise.all([runPaced(pass("deploy"), pacer), runPaced(pass("plan"), pacer)]);
  counting = false;
  expect(slices).toHaveLength(12);
  // Every slice after the first two (both passes' first, before either rested) has a turn of
  // its own, and the passes alternate.
  const rested = slices.slice(2);
  expect(new Set(rested.map((s) => s.turn)).size).toBe(rested.length);
  for (let i = 1; i < rested.length; i++) expect(rested[i]!.pass).not.toBe(rested[i - 1]!.pass);
});

test("a pass alone rests a turn between its slices", async () => {
  const pacer = createPacer(1);
  let turn = 0;
  let counting = true;
  const count = () => {
    turn++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const turns: number[] = [];
  function* pass(): Sliced<string> {
    for (let slice = 0; slice < 5; slice++) {
      turns.push(turn);
      while (!pacer.over()) {}
      yield;
    }
    return "done";
  }
  expect(await runPaced(pass(), pacer)).toBe("done");
  counting = false;
  expect(new Set(turns).size).toBe(5);
});

/**
 * The bun:test types orch init ships (src/sdk/bun-test.d.ts) are Bun's own, cut down: each name
 * they declare is Bun's, and Bun's declaration fits where theirs is expected, so a test that
 * typechecks with them typechecks with @types/bun too. `npm run typecheck` fails here otherwise.
 */
import type * as Bun from "bun:test";
import type * as Shipped from "../../src/sdk/bun-test.d.ts";

type None<T extends never> = T;
type Fits<T extends U, U> = [T, U];

export type Names = None<Exclude<keyof typeof Shipped, keyof typeof Bun>>;
export type MatcherNames = None<Exclude<keyof Shipped.Matchers, keyof Bun.Matchers>>;
export type Runner = [
  Fits<typeof Bun.test, typeof Shipped.test>,
  Fits<typeof Bun.it, typeof Shipped.it>,
  Fits<typeof Bun.describe, typeof Shipped.describe>,
  Fits<typeof Bun.beforeAll, typeof Shipped.beforeAll>,
  Fits<typeof Bun.afterEach, typeof Shipped.afterEach>,
  Fits<typeof Bun.expect, typeof Shipped.expect>,
  Fits<Bun.Matchers<{ a: number }>, Shipped.Matchers<{ a: number }>>,
  Fits<typeof Bun.mock, typeof Shipped.mock>,
  Fits<typeof Bun.spyOn, typeof Shipped.spyOn>,
];

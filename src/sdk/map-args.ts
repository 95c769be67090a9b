/**
 * The arguments of `task.map()` after its items, as Prefect's map takes them: more lists, mapped
 * in step with the items (`add.map([1, 2], [10, 20])`), and values every call gets as they are,
 * marked with `unmapped()` (`add.map([1, 2], unmapped(10))`); the map's options last.
 */
import type { MapOptions } from "./task-future.ts";

/** A value every call of a map receives as it is (Prefect's `unmapped`). */
export class Unmapped<T> {
  constructor(readonly value: T) {}
}

/**
 * Pass `value` to every call of a map as it is, not item by item:
 * `await notify.map(users, unmapped(message))` calls `notify(user, message)` for each user.
 */
export function unmapped<T>(value: T): Unmapped<T> {
  return new Unmapped(value);
}

/** The map's arguments for a task's parameters after the first: a list each, or unmapped(value). */
export type MapArgs<T extends unknown[]> = { [K in keyof T]: Iterable<T[K]> | Unmapped<T[K]> };

/** A task's parameters after the first. */
export type RestOf<A extends unknown[]> = A extends [unknown?, ...infer R] ? R : [];

const OPTION_KEYS = new Set(["concurrency", "settle"]);

/**
 * The options and the per-call arguments of a map of `count` items: `args(i)` gives item i's
 * arguments after the item. Throws a TypeError that names the argument a call cannot be made of.
 */
export function mapArgs(
  rest: readonly unknown[],
  count: number,
  where: string,
): { options: MapOptions & { settle?: boolean }; args: (index: number) => unknown[] } {
  const last = rest.at(-1);
  const isOptions =
    typeof last === "object" &&
    last !== null &&
    !(last instanceof Unmapped) &&
    !(Symbol.iterator in last);
  if (isOptions) {
    const unknown = Object.keys(last).filter((key) => !OPTION_KEYS.has(key));
    if (unknown.length) {
      throw new TypeError(
        `${where}: the last argument is taken as the map's options, which have no ${unknown.join(", ")} (they are concurrency and settle); wrap a value every call gets in unmapped()`,
      );
    }
  }
  const given = isOptions ? rest.slice(0, -1) : rest;
  const columns = given.map((arg, i): ((index: number) => unknown) => {
    const position = `argument ${i + 2}`;
    if (arg instanceof Unmapped) return () => arg.value;
    if (
      typeof arg === "string" ||
      arg === null ||
      typeof arg !== "object" ||
      !(Symbol.iterator in arg)
    ) {
      throw new TypeError(
        `${where}: ${position} is not a list to map over; wrap a value every call gets in unmapped(): unmapped(${JSON.stringify(arg) ?? String(arg)})`,
      );
    }
    const list = [...(arg as Iterable<unknown>)];
    if (list.length !== count) {
      throw new TypeError(
        `${where}: ${position} has ${list.length} items and the items ${count}; lists mapped together must be as long (or wrap it in unmapped() to give it whole to every call)`,
      );
    }
    return (index) => list[index];
  });
  return {
    options: isOptions ? (last as MapOptions & { settle?: boolean }) : {},
    args: (index) => columns.map((column) => column(index)),
  };
}

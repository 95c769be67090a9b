/**
 * For tests and scripts only: the raw connection of a store, to set up a state or read a table
 * that no store function offers, and the pages a piece of work writes. Nothing in src/ may
 * import this file (test/layers.test.ts checks).
 */
export { pagesWrittenBy } from "./pages-written.ts";
export { sqlite as rawSqliteForTests } from "./sqlite.ts";

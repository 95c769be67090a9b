/**
 * For tests only: the raw connection of a store, to set up a state or read a table that no store
 * function offers. Nothing in src/ may import this file (test/layers.test.ts checks).
 */
export { sqlite as rawSqliteForTests } from "./sqlite.ts";

/**
 * Types of the `bun:test` module for editors, shipped in the "orch" package orch init writes
 * (types/bun-test.d.ts): a flow's test imports its runner from `bun:test`, which `orch test`
 * provides, and the project's tsconfig maps `bun:test` here through "paths", so the test
 * typechecks with nothing to download. A subset of Bun's own declarations (bun-types): what a
 * flow's test uses. A project with @types/bun gets Bun's complete ones instead: its ambient
 * `declare module "bun:test"` comes before "paths", and this file, a module, never clashes.
 */

type Fn = (...args: never[]) => unknown;
// biome-ignore lint/suspicious/noConfusingVoidType: a test's body, returning nothing or a promise
type TestFn<T extends readonly unknown[]> = (...args: T) => void | Promise<unknown>;
type Label = string | number | Fn | { readonly name: string };
type HookOptions = number | { timeout?: number };
type Element<T> = T extends Iterable<infer U> ? U : T;
// biome-ignore lint/suspicious/noExplicitAny: as Bun declares them, for functions of any signature
type Resolved<T extends (...args: any[]) => any> =
  ReturnType<T> extends PromiseLike<infer U> ? U : never;
// biome-ignore lint/suspicious/noExplicitAny: as above
type Rejected<T extends (...args: any[]) => any> =
  // biome-ignore lint/suspicious/noExplicitAny: as above
  ReturnType<T> extends PromiseLike<any> ? unknown : never;

/** A test's options: how long it may take (ms), and how often to retry or repeat it. */
export interface TestOptions {
  timeout?: number;
  retry?: number;
  repeats?: number;
}

/** `test` and `it`: a named test, with its modifiers. */
export interface Test<T extends readonly unknown[] = []> {
  (label: string, fn: TestFn<T>, options?: number | TestOptions): void;
  (label: string, options: number | TestOptions, fn: TestFn<T>): void;
  only: Test<T>;
  skip: Test<T>;
  todo: ((label: string) => void) & Test<T>;
  failing: Test<T>;
  concurrent: Test<T>;
  serial: Test<T>;
  if(condition: boolean): Test<T>;
  skipIf(condition: boolean): Test<T>;
  todoIf(condition: boolean): Test<T>;
  failingIf(condition: boolean): Test<T>;
  each<R extends readonly [unknown, ...unknown[]]>(table: readonly R[]): Test<[...R]>;
  each<R extends readonly unknown[]>(table: readonly R[]): Test<[...R]>;
  each<const R>(table: readonly R[]): Test<[R]>;
}

/** `describe`: a group of tests, with its modifiers. */
export interface Describe<T extends readonly unknown[] = []> {
  (fn: () => void): void;
  (label: Label, fn: (...args: T) => void): void;
  only: Describe<T>;
  skip: Describe<T>;
  todo: Describe<T>;
  concurrent: Describe<T>;
  serial: Describe<T>;
  if(condition: boolean): Describe<T>;
  skipIf(condition: boolean): Describe<T>;
  todoIf(condition: boolean): Describe<T>;
  each<R extends readonly [unknown, ...unknown[]]>(table: readonly R[]): Describe<[...R]>;
  each<R extends readonly unknown[]>(table: readonly R[]): Describe<[...R]>;
  each<const R>(table: readonly R[]): Describe<[R]>;
}

export declare const test: Test;
export declare const it: Test;
export declare const describe: Describe;
export declare function beforeAll(fn: () => unknown, options?: HookOptions): void;
export declare function beforeEach(fn: () => unknown, options?: HookOptions): void;
export declare function afterAll(fn: () => unknown, options?: HookOptions): void;
export declare function afterEach(fn: () => unknown, options?: HookOptions): void;
export declare function setDefaultTimeout(milliseconds: number): void;
export declare function setSystemTime(now?: Date | number): void;

/** What an asymmetric matcher (`expect.any(Number)`) is: anything, as in Bun's own types. */
// biome-ignore lint/suspicious/noExplicitAny: it stands in for any value, as Bun declares it
export type AsymmetricMatcher = any;

/** `expect.any(...)` and the other matchers that stand in for a value. */
export interface AsymmetricMatchers {
  any(type: Fn | (new (...args: never[]) => unknown)): AsymmetricMatcher;
  anything(): AsymmetricMatcher;
  arrayContaining<E = unknown>(arr: readonly E[]): AsymmetricMatcher;
  objectContaining(obj: object): AsymmetricMatcher;
  stringContaining(str: string): AsymmetricMatcher;
  stringMatching(regex: string | RegExp): AsymmetricMatcher;
  closeTo(num: number, numDigits?: number): AsymmetricMatcher;
}

/** `expect`: a value's matchers, and the asymmetric ones. */
export interface Expect extends AsymmetricMatchers {
  <T = unknown>(actual: T, customFailMessage?: string): Matchers<T>;
  not: Omit<AsymmetricMatchers, "any" | "anything">;
  unreachable(msg?: string | Error): never;
  hasAssertions(): void;
  assertions(neededAssertions: number): void;
}

export declare const expect: Expect;

/** What `expect(value)` checks. */
export interface Matchers<T = unknown> {
  not: Matchers<unknown>;
  resolves: Matchers<Awaited<T>>;
  rejects: Matchers<unknown>;
  toBe(expected: T): void;
  toBe<X = T>(expected: NoInfer<X>): void;
  toEqual(expected: T): void;
  toEqual<X = T>(expected: NoInfer<X>): void;
  toStrictEqual(expected: T): void;
  toStrictEqual<X = T>(expected: NoInfer<X>): void;
  toMatchObject(subset: object): void;
  toContain(expected: Element<T>): void;
  toContain<X = T>(expected: NoInfer<Element<X>>): void;
  toContainEqual(expected: Element<T>): void;
  toContainEqual<X = T>(expected: NoInfer<Element<X>>): void;
  toHaveLength(length: number): void;
  toHaveProperty(keyPath: string | number | Array<string | number>, value?: unknown): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeDefined(): void;
  toBeUndefined(): void;
  toBeNull(): void;
  toBeNaN(): void;
  toBeInstanceOf(value: unknown): void;
  toBeTypeOf(
    type:
      | "bigint"
      | "boolean"
      | "function"
      | "number"
      | "object"
      | "string"
      | "symbol"
      | "undefined",
  ): void;
  toBeGreaterThan(expected: number | bigint): void;
  toBeGreaterThanOrEqual(expected: number | bigint): void;
  toBeLessThan(expected: number | bigint): void;
  toBeLessThanOrEqual(expected: number | bigint): void;
  toBeCloseTo(expected: number, numDigits?: number): void;
  toBeOneOf(expected: Iterable<T>): void;
  toBeEmpty(): void;
  toBeArray(): void;
  toBeArrayOfSize(size: number): void;
  toBeString(): void;
  toBeNumber(): void;
  toBeBoolean(): void;
  toBeTrue(): void;
  toBeFalse(): void;
  toBeWithin(start: number, end: number): void;
  toMatch(expected: string | RegExp): void;
  toInclude(expected: string): void;
  toStartWith(expected: string): void;
  toEndWith(expected: string): void;
  toSatisfy(predicate: (value: T) => boolean): void;
  toThrow(expected?: unknown): void;
  toThrowError(expected?: unknown): void;
  toMatchSnapshot(hint?: string): void;
  toMatchSnapshot(propertyMatchers?: object, hint?: string): void;
  toMatchInlineSnapshot(value?: string): void;
  toMatchInlineSnapshot(propertyMatchers?: object, value?: string): void;
  toHaveBeenCalled(): void;
  toHaveBeenCalledOnce(): void;
  toHaveBeenCalledTimes(expected: number): void;
  toHaveBeenCalledWith(...expected: unknown[]): void;
  toHaveBeenLastCalledWith(...expected: unknown[]): void;
  toHaveBeenNthCalledWith(n: number, ...expected: unknown[]): void;
  toHaveReturned(): void;
  toHaveReturnedTimes(times: number): void;
  toHaveReturnedWith(expected: unknown): void;
}

/** A mock function: callable as `T`, recording its calls. */
// biome-ignore lint/suspicious/noExplicitAny: a mock stands in for a function of any signature
export interface Mock<T extends (...args: any[]) => any> {
  (...args: Parameters<T>): ReturnType<T>;
  mock: {
    calls: Parameters<T>[];
    results: { type: "return" | "throw" | "incomplete"; value: unknown }[];
    lastCall?: Parameters<T>;
  };
  mockImplementation(fn: T): this;
  mockImplementationOnce(fn: T): this;
  mockReturnValue(value: ReturnType<T>): this;
  mockReturnValueOnce(value: ReturnType<T>): this;
  mockResolvedValue(value: Resolved<T>): this;
  mockResolvedValueOnce(value: Resolved<T>): this;
  mockRejectedValue(value: Rejected<T>): this;
  mockRejectedValueOnce(value: Rejected<T>): this;
  mockClear(): this;
  mockReset(): this;
  mockRestore(): void;
}

/** `mock(fn)`: a mock function; `mock.module(id, factory)` replaces a module's exports. */
export declare const mock: {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  <T extends (...args: any[]) => any>(fn?: T): Mock<T>;
  module(id: string, factory: () => unknown): void | Promise<void>;
  restore(): void;
  clearAllMocks(): void;
};

/** `spyOn(object, "method")`: the method, recorded as a mock and still called. */
export declare function spyOn<T extends object, K extends keyof T>(
  obj: T,
  methodOrPropertyValue: K,
  // biome-ignore lint/suspicious/noExplicitAny: as above
): Mock<Extract<T[K], (...args: any[]) => any>>;

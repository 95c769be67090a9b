/** The files `orch init` writes, by path relative to the project root. */
export const INIT_FILES: Record<string, string> = {
  ".gitignore": `.orch/
node_modules/
`,
  "flows/hello.yaml": `# yaml-language-server: $schema=../orch.schema.json
# Deployments of this project: orch watches flows/ and redeploys on save.
deployments:
  - name: hello
    description: Say hello every minute
    command: ["sh", "-c", "echo hello, {{ parameters.name }}"]
    parameters: { name: world }
    tags: [example]
    schedules:
      - interval: 1m

  - name: etl
    description: A TypeScript flow with tasks and retries
    flow: ./etl.ts
    parameters: { day: today, limit: 3 }
    tags: [example, etl]
    retries: 1
    retry_delay: 5s
    timeout: 5m
`,
  "tsconfig.json": `{
  "compilerOptions": {
    "target": "ESNext",
    "module": "Preserve",
    "moduleResolution": "bundler",
    "lib": ["ESNext", "DOM"],
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true
  },
  "include": ["flows"]
}
`,
  "flows/orch.d.ts": `// Types of the "orch" module for editors: inside orch, \`import { flow, task } from "orch"\`
// resolves to its SDK. Written by orch init; orch schema and orch --help tell more.
declare module "orch" {
  /** Options of a flow. */
  export interface FlowOptions {
    name: string;
    description?: string;
    /** A JSON Schema for the flow's parameters. */
    parameters?: Record<string, unknown>;
  }
  /** A flow: callable like the function it wraps, with its options attached. */
  export type Flow<P, R> = ((params: P) => Promise<R>) & { readonly orchFlow: FlowOptions };
  /** Define a flow: the function a deployment runs, given the run's parameters. */
  export function flow<P extends object, R>(
    nameOrOptions: string | FlowOptions,
    fn: (params: P) => R | Promise<R>,
  ): Flow<P, R>;
  /** Options of a task. */
  export interface TaskOptions {
    name: string;
    /** Times to try again after a failure. */
    retries?: number;
  }
  /** A task: callable like the function it wraps. */
  export type Task<A extends unknown[], R> = ((...args: A) => Promise<R>) & {
    readonly orchTask: TaskOptions;
  };
  /** Define a task: a step of a flow, listed with its state and attempts in \`orch runs inspect\`. */
  export function task<A extends unknown[], R>(
    nameOrOptions: string | TaskOptions,
    fn: (...args: A) => R | Promise<R>,
    more?: Omit<TaskOptions, "name">,
  ): Task<A, R>;
  /** True when a value was made by \`flow()\`. */
  export function isFlow(value: unknown): value is Flow<object, unknown>;
}
`,
  "flows/etl.ts": `import { flow, task } from "orch";

const extract = task("extract", async (limit: number) =>
  Array.from({ length: limit }, (_, i) => ({ order: i + 1, amount: (i + 1) * 10 })),
);

const load = task("load", async (rows: { amount: number }[]) => {
  const total = rows.reduce((sum, row) => sum + row.amount, 0);
  console.log(\`loaded \${rows.length} orders, total \${total}\`);
  return total;
});

export default flow(
  "etl",
  async ({ day = "today", limit = 3 }: { day?: string; limit?: number }) => {
    console.log(\`loading orders of \${day}\`);
    return load(await extract(limit));
  },
);
`,
};

import { flow, task } from "orch";

const extract = task("extract", async (limit: number) =>
  Array.from({ length: limit }, (_, i) => ({ order: i + 1, amount: (i + 1) * 10 })),
);

const load = task("load", async (rows: { amount: number }[]) => {
  const total = rows.reduce((sum, row) => sum + row.amount, 0);
  console.log(`loaded ${rows.length} orders, total ${total}`);
  return total;
});

export default flow(
  "etl",
  async ({ day = "today", limit = 3 }: { day?: string; limit?: number }) => {
    console.log(`loading orders of ${day}`);
    return load(await extract(limit));
  },
);

import { createArtifact, flow, task } from "orch";

// Cached for an hour: a later run with the same limit reuses the rows without fetching them.
const extract = task({ name: "extract", cache: { expires: "1h" } }, async (limit: number) =>
  Array.from({ length: limit }, (_, i) => ({ order: i + 1, amount: (i + 1) * 10 })),
);

const load = task("load", async (rows: { order: number; amount: number }[]) => {
  const total = rows.reduce((sum, row) => sum + row.amount, 0);
  console.log(`loaded ${rows.length} orders, total ${total}`);
  // orch runs artifacts ID prints it as a table; the monitor lists it in the run's details.
  await createArtifact({ key: "orders", type: "table", data: rows, description: "Orders loaded" });
  return total;
});

// The return value is the run's result: orch runs result ID prints it.
export default flow(
  "etl",
  async ({ day = "today", limit = 3 }: { day?: string; limit?: number }) => {
    console.log(`loading orders of ${day}`);
    const total = await load(await extract(limit));
    return { day, orders: limit, total };
  },
);

import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

const GH_SECRET = "gh-webhook-secret-9f2c";
const STRIPE_SECRET = "whsec_stripe_4d1e";

const FLOWS = `webhooks:
  - slug: gh
    check: github
    secret: gh_secret
    headers: [X-GitHub-Event]
  - slug: pay
    check: stripe
    secret_env: ORCH_TEST_STRIPE_SECRET
  - slug: ci
    check: sha256
    header: X-Signature
    secret: gh_secret
    delivery_header: X-Delivery
  - slug: shared
    check: header
    header: X-Token
    secret: gh_secret
  - slug: q
    check: query
    query: key
    secret: gh_secret
  - slug: unset
    check: header
    secret: never_set
  - slug: open
deployments:
  - name: on-push
    command: ["sh", "-c", "echo ref=$0 kind=$1", "{{ parameters.ref }}", "{{ parameters.kind }}"]
    parameters: { ref: none, kind: none }
    triggers:
      - on: webhook.gh
        match: { headers.x-github-event: push }
        parameters:
          ref: "{{ event.payload.ref }}"
          kind: "{{ event.payload.headers.x-github-event }}"
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;
let url: string;
let token: string;

const hmac = (secret: string, body: string) =>
  createHmac("sha256", secret).update(body).digest("hex");

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${url}${path}`, { method: "POST", body, headers });
}

/** The events recorded for a webhook, through the API. */
async function events(slug: string): Promise<{ id: number; payload: Record<string, unknown> }[]> {
  const res = await fetch(`${url}/api/events?prefix=webhook.${slug}&limit=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as { id: number; payload: Record<string, unknown> }[];
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/hooks.yaml"), FLOWS);
  await Bun.write(join(dir, "gh.txt"), GH_SECRET);
  const set = await orch(["secrets", "set", "gh_secret", "--from-file", join(dir, "gh.txt")], {
    cwd: dir,
  });
  expect(set.code).toBe(0);
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir], {
    env: { ORCH_TEST_STRIPE_SECRET: STRIPE_SECRET },
  });
  await up.waitFor("orch is up at");
  url = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8")).url;
  token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
});

afterAll(async () => {
  up?.proc.kill("SIGTERM");
  await up?.proc.exited;
  cleanup();
});

describe("signed webhooks through orch up", () => {
  test("a GitHub delivery signed with X-Hub-Signature-256 needs no token, carries the chosen header and starts its run; a replay, a wrong or a missing signature is a 401 with no event", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main", after: "abc123" });
    const headers = {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "x-hub-signature-256": `sha256=${hmac(GH_SECRET, body)}`,
      // Behind a tunnel the Host is the tunnel's: the signature is what lets it in.
      host: "hooks.example.net",
    };
    const res = await post("/hooks/gh", body, headers);
    expect(res.status).toBe(202);
    const event = (await res.json()) as {
      id: number;
      event_id: number;
      name: string;
      payload: Record<string, unknown>;
      runs: { id: string; deployment: string }[];
    };
    expect(event.name).toBe("webhook.gh");
    // The answer says what the webhook's triggers started, and the event's id.
    expect(event.event_id).toBe(event.id);
    expect(event.runs).toEqual([{ id: expect.any(String), deployment: "on-push" }]);
    expect(event.payload).toEqual({
      ref: "refs/heads/main",
      after: "abc123",
      headers: { "x-github-event": "push" },
    });

    const replay = await post("/hooks/gh", body, headers);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain("already received");
    const wrong = await post("/hooks/gh", body, {
      ...headers,
      "x-github-delivery": "another-id",
      "x-hub-signature-256": `sha256=${hmac("not-the-secret", body)}`,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("does not match the body");
    const tampered = await post("/hooks/gh", body.replace("main", "prod"), {
      ...headers,
      "x-github-delivery": "a-third-id",
    });
    expect(tampered.status).toBe(401);
    const unsigned = await post("/hooks/gh", body, { "x-github-delivery": "a-fourth-id" });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).toContain("x-hub-signature-256");
    expect(await events("gh")).toHaveLength(1);

    // The event starts the deployment whose trigger matches it, with templated parameters.
    const deadline = Date.now() + 20_000;
    let runs: { parameters: Record<string, unknown>; state: string }[] = [];
    while (Date.now() < deadline) {
      const r = await orch(["runs", "ls", "--deployment", "on-push", "--json", "--dir", dir]);
      runs = JSON.parse(r.stdout);
      if (runs[0]?.state === "COMPLETED") break;
      await Bun.sleep(100);
    }
    expect(runs).toHaveLength(1);
    expect((runs[0] as unknown as { id: string }).id).toBe(event.runs[0]!.id);
    expect(runs[0]!.parameters).toEqual({ ref: "refs/heads/main", kind: "push" });

    // A delivery no trigger matches (GitHub's ping) started nothing, and says so.
    const ping = JSON.stringify({ zen: "Keep it logically awesome." });
    const pinged = await post("/hooks/gh", ping, {
      "content-type": "application/json",
      "x-github-event": "ping",
      "x-github-delivery": "a-ping-id",
      "x-hub-signature-256": `sha256=${hmac(GH_SECRET, ping)}`,
    });
    expect(pinged.status).toBe(202);
    expect(await pinged.json()).toMatchObject({ name: "webhook.gh", runs: [] });
    expect(runs[0]!.state).toBe("COMPLETED");
  });

  test("a Stripe delivery is checked with its timestamp: a fresh one is let in, an old one and the same event again are 401s", async () => {
    const body = JSON.stringify({ id: "evt_1Nx", type: "invoice.paid", data: { amount: 420 } });
    const sign = (t: number) => `t=${t},v1=${hmac(STRIPE_SECRET, `${t}.${body}`)}`;
    const now = Math.floor(Date.now() / 1000);
    const old = await post("/hooks/pay", body, { "stripe-signature": sign(now - 600) });
    expect(old.status).toBe(401);
    expect(await old.text()).toContain("outside the tolerance of 300 s");
    const fresh = await post("/hooks/pay", body, { "stripe-signature": sign(now) });
    expect(fresh.status).toBe(202);
    expect(((await fresh.json()) as { payload: unknown }).payload).toEqual(JSON.parse(body));
    // Stripe sends an event again with a new timestamp: the event's id makes it a replay.
    const again = await post("/hooks/pay", body, { "stripe-signature": sign(now + 1) });
    expect(again.status).toBe(401);
    const forged = await post("/hooks/pay", body.replace("420", "1"), {
      "stripe-signature": sign(now),
    });
    expect(forged.status).toBe(401);
    expect(await events("pay")).toHaveLength(1);
  });

  test("a generic sha256= header with a delivery header, a shared secret in a header or the query", async () => {
    const body = "plain text, not JSON";
    const signed = { "x-signature": `sha256=${hmac(GH_SECRET, body)}`, "x-delivery": "d-1" };
    expect((await post("/hooks/ci", body, signed)).status).toBe(202);
    expect((await post("/hooks/ci", body, signed)).status).toBe(401);
    expect((await events("ci"))[0]!.payload).toEqual({ body });

    expect((await post("/hooks/shared", "{}", { "x-token": "wrong" })).status).toBe(401);
    expect((await post("/hooks/shared", "{}", { "x-token": GH_SECRET })).status).toBe(202);

    const form = { "content-type": "application/x-www-form-urlencoded" };
    expect((await post("/hooks/q?key=nope", "a=1", form)).status).toBe(401);
    expect(
      (await post(`/hooks/q?key=${encodeURIComponent(GH_SECRET)}`, "a=1&b=2&b=3", form)).status,
    ).toBe(202);
    expect((await events("q"))[0]!.payload).toEqual({ a: "1", b: ["2", "3"] });
    // `curl -d '{...}'` labels a JSON body a form unless told otherwise: it is still JSON.
    const json = '{"ref":"refs/heads/main","count":7}';
    const key = encodeURIComponent(GH_SECRET);
    expect((await post(`/hooks/q?key=${key}`, json, form)).status).toBe(202);
    expect((await events("q")).map((e) => e.payload)).toContainEqual({
      ref: "refs/heads/main",
      count: 7,
    });
  });

  test("a webhook without a check, or not declared, still needs the API token; a secret not set is a 503 that says what to set", async () => {
    const open = await post("/hooks/open", "{}");
    expect(open.status).toBe(401);
    expect(await open.text()).toContain("API token");
    expect((await post("/hooks/open", "{}", { authorization: `Bearer ${token}` })).status).toBe(
      202,
    );
    expect((await post("/hooks/undeclared", "{}")).status).toBe(401);
    const unset = await post("/hooks/unset", "{}", { "x-webhook-secret": "x" });
    expect(unset.status).toBe(503);
    expect(await unset.text()).toContain("orch secrets set never_set");
    expect(await events("unset")).toHaveLength(0);
  });

  test("a webhook taken out of its file needs the API token again", async () => {
    expect((await post("/hooks/shared", "{}", { "x-token": GH_SECRET })).status).toBe(202);
    await Bun.write(join(dir, "flows/hooks.yaml"), FLOWS.replace("slug: shared", "slug: shared2"));
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await post("/hooks/shared", "{}", { "x-token": GH_SECRET })).status;
      if (status === 401) break;
      await Bun.sleep(100);
    }
    expect(status).toBe(401);
    expect((await post("/hooks/shared2", "{}", { "x-token": GH_SECRET })).status).toBe(202);
  });

  test("a body over the cap is a 413 and makes no event", async () => {
    const big = "x".repeat(2 * 1024 * 1024);
    const res = await post("/hooks/shared2", big, { "x-token": GH_SECRET });
    expect(res.status).toBe(413);
    expect(await events("shared2")).toHaveLength(1);
  });
});

test("a bad webhooks: section is reported with file:line:column and what to do", async () => {
  const bad = tempDir();
  try {
    await Bun.write(
      join(bad.dir, "flows/bad.yaml"),
      `webhooks:
  - slug: a
    check: github
  - slug: b
    secret: x
  - slug: c
    check: query
    header: X-Key
    secret: x
  - slug: a
    check: gitlab
`,
    );
    await Bun.write(join(bad.dir, "flows/z.yaml"), "webhooks:\n  - slug: taken\n");
    await Bun.write(join(bad.dir, "flows/y.yaml"), "webhooks:\n  - slug: taken\n");
    const r = await orch(["deploy", "--dir", bad.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:3:\d+: .*needs the secret it checks with/);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:5:\d+: .*only used with a check/);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:8:\d+: .*not used by check: query/);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:10:\d+: .*"a" is declared twice/);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:11:\d+: .*check: must be one of "github"/);
    expect(r.stderr).toContain(
      'flows/z.yaml:2:5: webhook "taken" is also declared in flows/y.yaml:2:5; declare a webhook in one file',
    );
  } finally {
    bad.cleanup();
  }
});

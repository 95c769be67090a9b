import {
  type ActionSpec,
  fillReferences,
  type ReferenceValues,
  referencesIn,
} from "../core/index.ts";
import { renderTemplates, type TemplateContext } from "./render-parameters.ts";

/** Where trigger actions read secrets and variables (the project's secrets store). */
export interface ValueSource {
  values(names: readonly string[]): Record<string, string>;
  variables(names: readonly string[]): Record<string, string>;
}

/** What an action outside the store needs: where to run commands, secrets, how to find programs. */
export interface OutsideDeps {
  cwd: string;
  secrets?: ValueSource;
  env?: Record<string, string | undefined>;
  /** How long a webhook call or a shell command may take. Default 30 s. */
  timeoutMs?: number;
}

/** The action's `{{ secrets.x }}` and `{{ variables.x }}` filled in from the secrets store. */
function withValues(action: ActionSpec, secrets: ValueSource | undefined): ActionSpec {
  const refs = referencesIn(action);
  if (!refs.length) return action;
  const names = (kind: string) => refs.filter((r) => r.kind === kind).map((r) => r.name);
  const values: ReferenceValues = {
    secrets: secrets?.values(names("secrets")) ?? {},
    variables: secrets?.variables(names("variables")) ?? {},
  };
  return fillReferences(action, values);
}

/**
 * Post a webhook: the action's body (templated), or `{text, content}` with the message, which
 * Slack's and Discord's incoming webhooks both take. A reply other than 2xx is an error.
 */
async function callWebhook(
  action: ActionSpec,
  ctx: TemplateContext,
  deps: OutsideDeps,
): Promise<string> {
  // Secrets first, then the event: a value from an event is never read as a reference.
  const filled = renderTemplates(withValues(action, deps.secrets), ctx);
  const body = filled.body ?? { text: ctx.message, content: ctx.message };
  const res = await fetch(filled.url!, {
    method: "POST",
    headers: { "content-type": "application/json", ...filled.headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(deps.timeoutMs ?? 30_000),
  });
  const text = await res.text().catch(() => "");
  const host = new URL(filled.url!).host;
  if (!res.ok) throw new Error(`webhook to ${host} answered ${res.status}: ${text.slice(0, 200)}`);
  return `called the webhook at ${host} (${res.status})`;
}

/** The event as environment variables: how a shell string reads it without splicing it into code. */
function eventEnv(ctx: TemplateContext): Record<string, string> {
  return {
    ORCH_EVENT_NAME: ctx.event.name,
    ORCH_EVENT_ID: String(ctx.event.id),
    ORCH_EVENT_RESOURCE: ctx.event.resource ?? "",
    ORCH_EVENT_PAYLOAD: JSON.stringify(ctx.event.payload),
    ORCH_MESSAGE: ctx.message ?? "",
    ORCH_TRIGGER_DEPLOYMENT: ctx.trigger?.deployment ?? "",
    ORCH_TRIGGER_NAME: ctx.trigger?.name ?? "",
  };
}

/**
 * Run a shell action: argv with each template filling one argument (no shell reads it), or a
 * string run by `sh -c` that reads the event from $ORCH_EVENT_* variables. It runs in the
 * project's folder, and is stopped after the timeout.
 */
async function runShell(
  action: ActionSpec,
  ctx: TemplateContext,
  deps: OutsideDeps,
): Promise<string> {
  const argv =
    typeof action.command === "string"
      ? ["sh", "-c", action.command]
      : renderTemplates(action.command ?? [], ctx).map(String);
  const proc = Bun.spawn(argv, {
    cwd: deps.cwd,
    env: { ...(deps.env ?? process.env), ...eventEnv(ctx) },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: deps.timeoutMs ?? 30_000,
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const what = typeof action.command === "string" ? action.command : argv.join(" ");
  if (code !== 0) {
    throw new Error(
      `${what} exited with ${proc.signalCode ?? code}${(err || out).trim() ? `: ${(err || out).trim().slice(0, 300)}` : ""}`,
    );
  }
  return `ran ${what}`;
}

/** The program that shows desktop notifications here, or null with what is missing. */
export function desktopNotifier(
  platform: string = process.platform,
  which: (name: string) => string | null = (n) => Bun.which(n),
): { argv: (title: string, message: string) => string[] } | { missing: string } {
  if (platform === "darwin" && which("osascript")) {
    // The texts are arguments of the script, never part of it.
    return {
      argv: (title, message) => [
        "osascript",
        "-e",
        "on run argv",
        "-e",
        "display notification (item 2 of argv) with title (item 1 of argv)",
        "-e",
        "end run",
        title,
        message,
      ],
    };
  }
  const notifySend = which("notify-send");
  if (notifySend) return { argv: (title, message) => [notifySend, "--", title, message] };
  return {
    missing:
      platform === "darwin"
        ? "osascript was not found"
        : "notify-send was not found on PATH (on Debian or Ubuntu: apt install libnotify-bin)",
  };
}

/** Show a desktop notification, or fail saying clearly that none is available here. */
async function notifyDesktop(
  action: ActionSpec,
  ctx: TemplateContext,
  deps: OutsideDeps,
): Promise<string> {
  const filled = renderTemplates(action, ctx);
  const title = filled.title ?? `orch: ${ctx.trigger?.deployment ?? ctx.event.name}`;
  const message = filled.message ?? ctx.message ?? ctx.event.name;
  const notifier = desktopNotifier(process.platform, (n) =>
    Bun.which(n, { PATH: (deps.env ?? process.env).PATH ?? "" }),
  );
  if ("missing" in notifier) {
    throw new Error(`desktop notifications are not available on this machine: ${notifier.missing}`);
  }
  const proc = Bun.spawn(notifier.argv(title, message), {
    env: deps.env ?? process.env,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    timeout: deps.timeoutMs ?? 30_000,
  });
  const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0)
    throw new Error(`the desktop notification failed (${code}): ${err.trim().slice(0, 300)}`);
  return `showed a desktop notification: ${title}`;
}

/** Do one of the actions that reach outside the store (webhook, shell, notify); what it did. */
export function runOutsideAction(
  action: ActionSpec,
  ctx: TemplateContext,
  deps: OutsideDeps,
): Promise<string> {
  if (action.type === "webhook") return callWebhook(action, ctx, deps);
  if (action.type === "shell") return runShell(action, ctx, deps);
  return notifyDesktop(action, ctx, deps);
}

import {
  OrchError,
  type StartedRun,
  WEBHOOK_DEFAULTS,
  WEBHOOK_RECEIVED,
  type WebhookReceived,
  type WebhookSpec,
} from "../../core/index.ts";
import { type SecretSources, verifyWebhook, webhookSecret } from "../../events/index.ts";
import { eventToJson, getWebhook, recordDelivery, type Store } from "../../store/index.ts";
import { json } from "../http.ts";
import { parseJson, readBytes } from "../read-body.ts";
import type { Route } from "../router.ts";

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * The body as an event's payload: a JSON object as it is, a form's fields (a repeated field as
 * a list), anything else as `{ body: text }`. A JSON object sent as a form is taken as JSON:
 * `curl -d '{...}'` labels what it sends a form unless told otherwise, and no form's fields
 * read as one JSON object.
 */
function bodyPayload(text: string, contentType: string): Record<string, unknown> {
  if (!text) return {};
  const form = contentType.toLowerCase().startsWith("application/x-www-form-urlencoded");
  if (form && !/^\s*\{/.test(text)) return formFields(text);
  const parsed = parseJson(text, { what: "the webhook's body", orText: true });
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    return parsed as Record<string, unknown>;
  }
  return form ? formFields(text) : { body: text };
}

/** A form's fields, a repeated field as a list. */
function formFields(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const had = fields[key];
    fields[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return fields;
}

/** The id that names this delivery (a replay carries the same), or null when it has none. */
function deliveryId(spec: WebhookSpec | null, req: Request, payload: Record<string, unknown>) {
  if (spec?.check === "stripe") return typeof payload.id === "string" ? payload.id : null;
  const header =
    spec?.delivery_header ??
    (spec?.check === "github" ? WEBHOOK_DEFAULTS.github.delivery_header : undefined);
  return header ? req.headers.get(header) : null;
}

/**
 * POST /hooks/:slug: a webhook's request becomes the event `webhook.<slug>`. A webhook declared
 * with a check (`webhooks:` in a definition file) is let in by that check alone, not by the API
 * token, so a sender that signs its requests can call it; any other slug needs the token.
 */
export function webhookRoutes({
  store,
  secrets,
  bodyTimeoutMs,
  triggersNow,
}: {
  store: Store;
  secrets: SecretSources;
  bodyTimeoutMs?: number;
  /** Have the triggers take an event at once: the runs they started, or null when they cannot. */
  triggersNow?: (eventId: number) => StartedRun[] | null;
}): Route[] {
  return [
    {
      method: "POST",
      path: "/hooks/:slug",
      summary:
        "A webhook: records the event webhook.<slug> (resource: the slug; payload: the JSON body, a form's fields, or {body: text}, with chosen headers in headers) for triggers to match, and answers with the runs they started. A webhook declared with a check (HMAC signature or shared secret) needs no API token; a wrong signature or a replayed delivery is a 401",
      operationId: "receiveWebhook",
      response: {
        status: 202,
        description:
          "The event, its id as event_id, and the runs its triggers started (runs is missing while the server is starting: its triggers take the event later)",
        schema: WEBHOOK_RECEIVED,
      },
      checksCaller: ({ slug }) =>
        !!slug && SLUG.test(slug) && !!getWebhook(store, slug)?.spec.check,
      openQuery: true,
      handler: async (req, { params: { slug } }) => {
        if (!SLUG.test(slug!)) {
          throw new OrchError(
            "E_BAD_INPUT",
            `webhook names hold letters, digits, ".", "_" and "-", not ${JSON.stringify(slug)}`,
          );
        }
        const spec = getWebhook(store, slug!)?.spec ?? null;
        const bytes = await readBytes(req, bodyTimeoutMs);
        if (spec?.check) {
          verifyWebhook(spec, webhookSecret(spec, secrets), {
            body: bytes,
            headers: req.headers,
            query: new URL(req.url).searchParams,
            now: store.clock.now(),
          });
        }
        const text = new TextDecoder().decode(bytes);
        const payload = bodyPayload(text, req.headers.get("content-type") ?? "");
        const chosen = (spec?.headers ?? []).flatMap((h) => {
          const value = req.headers.get(h);
          return value === null ? [] : [[h, value] as const];
        });
        if (chosen.length) payload.headers = Object.fromEntries(chosen);
        const delivery = deliveryId(spec, req, payload);
        const recorded = recordDelivery(store, slug!, delivery, payload);
        if ("duplicateOf" in recorded) {
          throw new OrchError(
            "E_UNAUTHORIZED",
            `delivery ${JSON.stringify(delivery)} was already received (event #${recorded.duplicateOf}); a replay makes no new event`,
          );
        }
        // The triggers take the event now, so the sender learns what it started (a CI job can
        // follow the run it set off); a server still starting has them take it later.
        const runs = triggersNow?.(recorded.event.id) ?? null;
        const answer: WebhookReceived = {
          ...eventToJson(recorded.event),
          event_id: recorded.event.id,
          ...(runs ? { runs } : {}),
        };
        return json(answer, 202);
      },
    },
  ];
}

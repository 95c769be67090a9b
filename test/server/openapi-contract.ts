import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";

/** An operation of the OpenAPI document, as the contract test reads it. */
interface Operation {
  operationId?: string;
  responses: Record<
    string,
    {
      content?: Record<string, { schema?: object; "x-events"?: Record<string, object> }>;
      headers?: Record<string, unknown>;
    }
  >;
}

/** The parts of the OpenAPI document the contract test reads. */
export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

/** RFC 3339 date-time, as OpenAPI's `format: date-time` means it. */
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;

/**
 * Checks live answers against the schemas an OpenAPI document declares for them: finds the
 * operation by method and path, then validates the body against the schema of its status and
 * content type (JSON Schema 2020-12, formats enforced). Records which operations it saw.
 */
export function createContract(doc: OpenApiDoc) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addFormat("date-time", (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)));
  const validators = new Map<string, ValidateFunction>();
  const seen = new Set<string>();
  const routes = Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        params: (path.match(/\{/g) ?? []).length,
        pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
        op,
      })),
    )
    // A literal segment wins over a parameter (POST /api/runs/prune, not /api/runs/{id}).
    .sort((a, b) => a.params - b.params);

  /** The validator of a schema, with the document's components for its `$ref`s. */
  const validator = (key: string, schema: object) => {
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile({ allOf: [schema], components: doc.components });
      validators.set(key, validate);
    }
    return validate;
  };

  /** The operation that serves a request, or a thrown error naming the request. */
  const operation = (method: string, pathname: string): Operation => {
    const route = routes.find((r) => r.method === method && r.pattern.test(pathname));
    if (!route) throw new Error(`the document has no operation for ${method} ${pathname}`);
    return route.op;
  };

  return {
    seen,
    operation,
    /** Validate one answer; JSON bodies are read from a clone, streams only by their type. */
    async check(method: string, url: string, res: Response): Promise<void> {
      const pathname = new URL(url).pathname;
      const op = operation(method, pathname);
      const where = `${method} ${pathname} (${op.operationId}) answered ${res.status}`;
      const declared =
        op.responses[String(res.status)] ?? op.responses[`${String(res.status)[0]}XX`];
      if (!declared) throw new Error(`${where}, a status the document does not declare`);
      const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
      const content = declared.content?.[type];
      if (!content) throw new Error(`${where} with ${type}, a type the document does not declare`);
      if (res.ok) seen.add(op.operationId!);
      if (type !== "application/json") return;
      const body: unknown = await res.clone().json();
      const key = `${op.operationId} ${res.status}`;
      const validate = validator(key, content.schema ?? {});
      if (!validate(body)) {
        throw new Error(`${where} with a body that breaks its schema:
${ajv.errorsText(validate.errors, { separator: "\n" })}
${JSON.stringify(body, null, 2).slice(0, 2000)}`);
      }
    },
    /** Validate a stream's message against the schema its route declares for that event. */
    checkMessage(url: string, message: { event: string; data: unknown }): void {
      const pathname = new URL(url, "http://orch").pathname;
      const op = operation("GET", pathname);
      const where = `${op.operationId}'s ${message.event} message`;
      const events = op.responses["200"]?.content?.["text/event-stream"]?.["x-events"] ?? {};
      const schema = events[message.event];
      if (!schema) throw new Error(`${where} is not declared in x-events`);
      const validate = validator(`${op.operationId} ${message.event}`, schema);
      if (!validate(message.data)) {
        throw new Error(`${where} breaks its schema: ${ajv.errorsText(validate.errors)}`);
      }
    },
  };
}

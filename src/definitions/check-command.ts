import {
  type CommandPlaceholder,
  closest,
  commandPlaceholders,
  envPlaceholders,
  isOrchRunEnv,
} from "../core/index.ts";
import { type Item, isObject, type Path, type Report } from "./definition-values.ts";

/**
 * Reports each placeholder of a deployment's command that could not be filled safely at run time,
 * at the argument that holds it (a command given as a list) or at the command (a string).
 */
export function checkCommandPlaceholders(
  item: Item,
  command: string[],
  path: Path,
  count: Report,
): void {
  // The same reading of the command as at run time (commandPlaceholders), so a definition
  // that deploys never fails to render for a reason known now.
  const listed = Array.isArray(item.command);
  checkPlaceholders(
    item,
    commandPlaceholders(command),
    (p) => (listed ? [...path, p.arg] : path),
    count,
  );
}

/**
 * Reports each placeholder of a deployment's env values that could not be filled at run time
 * (read as renderEnv reads them), at the value that holds it, and each variable orch sets itself.
 */
export function checkEnvPlaceholders(item: Item, path: Path, count: Report): void {
  if (!isObject(item.env)) return;
  for (const [name, value] of Object.entries(item.env)) {
    if (isOrchRunEnv(name)) {
      count(
        path,
        `${name} is set by orch for every run, so this value would never be seen: name the variable otherwise`,
        name,
      );
    }
    if (typeof value === "string") {
      checkPlaceholders(item, envPlaceholders(value), () => [...path, name], count);
    }
  }
}

/** Reports each placeholder that names no parameter the deployment knows, or cannot be filled. */
function checkPlaceholders(
  item: Item,
  placeholders: CommandPlaceholder[],
  pathOf: (p: CommandPlaceholder) => Path,
  count: Report,
): void {
  // A placeholder must name a parameter the deployment knows (a default or the schema's).
  const schemaProps = isObject(item.parameter_schema) && isObject(item.parameter_schema.properties);
  const known = new Set([
    ...Object.keys(isObject(item.parameters) ? item.parameters : {}),
    ...(schemaProps ? Object.keys((item.parameter_schema as { properties: Item }).properties) : []),
  ]);
  for (const p of placeholders) {
    const path = pathOf(p);
    if (p.run) {
      if (p.numeric)
        count(path, `{{ ${p.path} }} is a time, not a number, where bash evaluates arithmetic`);
      continue;
    }
    const first = p.keys?.[0];
    if (p.problem || first === undefined) {
      count(path, p.problem ?? `{{ ${p.path} }} cannot be filled`);
    } else if (!known.has(first) && !schemaProps) {
      const guess = closest(first, [...known]);
      count(
        path,
        `{{ ${p.path} }} names no parameter${guess ? ` (did you mean "${guess}"?)` : ""}: give it a default in parameters, or declare it in parameter_schema`,
      );
    } else if (!known.has(first)) {
      count(path, `{{ ${p.path} }} names no parameter of the parameter_schema`);
    } else if (p.numeric && !isNumberInSchema(item.parameter_schema, p.keys!)) {
      count(
        path,
        `{{ ${p.path} }} is where bash evaluates arithmetic ($(( )), [[ -eq ]], let, a subscript), which runs code found in text; declare it as an integer in parameter_schema, so only numbers reach it`,
      );
    }
  }
}

/** True when the schema lets only numbers through at this path of the parameters. */
function isNumberInSchema(schema: unknown, keys: string[]): boolean {
  let node = schema;
  for (const key of keys) {
    const properties = isObject(node) && isObject(node.properties) ? node.properties : {};
    node = Object.hasOwn(properties, key) ? properties[key] : undefined;
  }
  const types = isObject(node) ? [node.type].flat() : [];
  return types.length > 0 && types.every((t) => t === "integer" || t === "number");
}

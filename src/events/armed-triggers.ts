import { type DeploymentSpec, stableStringify, type TriggerSpec } from "../core/index.ts";
import { deploymentSpec, deploymentsWithTriggers, type Store } from "../store/index.ts";

/** A deployment's trigger as the engine holds it. */
export interface ArmedTrigger {
  deployment: string;
  /** The hash of its content: reordering triggers keeps their state, changing one starts afresh. */
  key: string;
  /** Its id in the store's trigger state: `deployment:key`. */
  id: string;
  /** Its name, or `triggers[N]`. */
  label: string;
  spec: TriggerSpec;
  /** false while its deployment is paused: it neither counts nor fires. */
  active: boolean;
}

/** The key of a trigger: a short hash of its content. */
export function triggerKey(trigger: TriggerSpec): string {
  return new Bun.CryptoHasher("sha256").update(stableStringify(trigger)).digest("hex").slice(0, 12);
}

/**
 * Every trigger of every deployment (a paused deployment's too, marked inactive); with `names`,
 * those of these deployments only (a removed or unknown one has none).
 */
export function armTriggers(store: Store, names?: Iterable<string>): ArmedTrigger[] {
  return deploymentsWithTriggers(store, names).flatMap((row) => {
    const spec: DeploymentSpec = deploymentSpec(row);
    return spec.triggers.map((trigger, i) => {
      const key = triggerKey(trigger);
      return {
        deployment: row.name,
        key,
        id: `${row.name}:${key}`,
        label: trigger.name ?? `triggers[${i}]`,
        spec: trigger,
        active: !row.paused,
      };
    });
  });
}

/** What kind of trigger it is, in the words `triggers ls` uses. */
export function triggerKind(
  spec: TriggerSpec,
): "reactive" | "threshold" | "sequence" | "proactive" {
  if (spec.posture === "proactive") return "proactive";
  if (spec.after) return "sequence";
  if ((spec.threshold ?? 1) > 1) return "threshold";
  return "reactive";
}

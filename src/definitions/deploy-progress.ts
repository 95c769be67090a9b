/** How a deploy pass is paced, and how far it is. */
import type { Pacer } from "../core/index.ts";

/** How far a deploy pass is: files read, then deployments written. */
export interface DeployProgress {
  phase: "reading" | "deploying";
  done: number;
  total: number;
}

/** How a paced deploy pass runs: its pacer, and who hears of its progress. */
export interface PacedDeploy {
  pacer: Pacer;
  onProgress?: (progress: DeployProgress) => void;
}

import { OrchError, type Problem } from "./errors.ts";

/** How a key of a resume's input that its pause's schema does not name is told. */
export const NOT_IN_PAUSE_SCHEMA = "is not in the pause's input schema";

/**
 * The refusal of a resume whose input the pause's schema refuses: one wording for orch's
 * `runs resume` (the API) and for orch/testing's `resume()`, with every problem.
 */
export function pauseInputRefused(key: string, runId: string, problems: Problem[]): OrchError {
  return new OrchError(
    "E_BAD_INPUT",
    `the input does not match what ${key} of run ${runId.slice(0, 8)} asks for`,
    problems,
  );
}

/**
 * The exit code of a TypeScript flow's process that ended because its run paused (`pause()`).
 * The worker records no end for it: the run is PAUSED already, and starts again once resumed.
 */
export const EXIT_PAUSED = 86;

/**
 * The exit code of `orch run --watch` (and `runs retry --watch`) when the run it follows PAUSES:
 * not 0 (it did not complete) nor 1 (it did not fail); a script can tell it waits for a resume.
 */
export const EXIT_WATCH_PAUSED = 3;

/**
 * The exit code of a TypeScript flow's process that ended because its run paused (`pause()`).
 * The worker records no end for it: the run is PAUSED already, and starts again once resumed.
 */
export const EXIT_PAUSED = 86;

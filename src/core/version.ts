import pkg from "../../package.json" with { type: "json" };

/** orch's semver, from package.json. */
export const VERSION: string = pkg.version;

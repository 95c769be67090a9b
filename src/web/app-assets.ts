/** One file of the web app, as served. */
export interface AppFile {
  /** The content type. */
  type: string;
  body: string;
  /** Its content policy, when it is not the default one (a page with inline parts by hash). */
  csp?: string;
}

/** The web app's files by path (`/index.html`, `/assets/index-1a2b3c.js`). */
export type AppAssets = Record<string, AppFile>;

/**
 * The web app's files. scripts/build.ts replaces this module with the files it built, so the
 * executable carries them (nothing is fetched at run time); from source (`bun src/main.ts up`,
 * the tests) they are built from src/web/app on first use.
 */
export async function loadAppAssets(): Promise<AppAssets> {
  const { buildApp } = await import("./build-app.ts");
  return buildApp();
}

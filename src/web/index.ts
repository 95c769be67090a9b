export type { AppAssets, AppFile } from "./app-assets.ts";
export { createWebFront, type WebFrontOptions } from "./web-front.ts";
export {
  CSRF_HEADER,
  createWebSessions,
  OPEN_CODE_TTL_MS,
  type WebSession,
  type WebSessions,
} from "./web-sessions.ts";

// Definition files read, parsed and validated on a thread of their own (see read-off-thread.ts
// for why). Messages in: {id, root, files}; out, per file in order: {id, index, loaded}, then
// {id, done: true}; {id, failed} when the thread itself fails.
import { compileSchema } from "../core/json-schema.ts";
import { loadDefinitionFile } from "./read-files.ts";
import { DEFINITION_SCHEMA } from "./schema.ts";

declare const self: Worker;

// Compiled as the thread starts (most of a second on a busy machine), while the server opens
// its store and starts listening: the first file is parsed without waiting for it.
compileSchema(DEFINITION_SCHEMA, true);

self.onmessage = (event: MessageEvent) => {
  const { id, root, files } = event.data as { id: number; root: string; files: string[] };
  try {
    // One message per file: the server's thread takes each result in as it comes (a message
    // is copied in one go there, so a whole project's at once would be one long pause).
    for (const [index, abs] of files.entries()) {
      self.postMessage({ id, index, loaded: loadDefinitionFile(abs, root) });
    }
    self.postMessage({ id, done: true });
  } catch (error) {
    self.postMessage({ id, failed: (error as Error)?.stack ?? String(error) });
  }
};

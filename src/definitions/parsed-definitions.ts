/**
 * A project's definition files as a deployer last read them: found under flows/, read here or
 * ahead on the reader's thread, each kept with its parse until it is read again.
 */
import { relative, sep } from "node:path";
import type { Problem, ProjectPaths, Sliced } from "../core/index.ts";
import type { PacedDeploy } from "./deploy-progress.ts";
import { findDefinitionFiles } from "./find-definition-files.ts";
import type { ParsedFile } from "./parse-definitions.ts";
import { loadDefinitionFile } from "./read-files.ts";
import {
  type DefinitionReader,
  type LoadedDefinition,
  ReaderUnavailable,
} from "./read-off-thread.ts";

/** Who hears of a pass's progress. */
type OnProgress = PacedDeploy["onProgress"];

/** Definition files read ahead (off the thread), by absolute path. */
export type ReadAhead = Map<string, LoadedDefinition>;

/** The definition files of a project, as last read. */
export interface ParsedDefinitions {
  /** Each definition file's last parse, by absolute path. */
  readonly files: Map<string, ParsedFile>;
  /** Every definition file of the project, and a warning for each folder that cannot be read. */
  find(): { files: string[]; warnings: Problem[] };
  /**
   * Read one definition file into `files` (or take it as read ahead); false when it is not one
   * (gone, or skipped with a warning in `warnings`).
   */
  readOne(abs: string, warnings: Problem[], loaded?: LoadedDefinition): boolean;
  /** Read these files (yielding between them, or taking them as read ahead); those that are definitions. */
  readFiles(
    files: string[],
    warnings: Problem[],
    onProgress: OnProgress,
    ahead?: ReadAhead,
  ): Sliced<string[]>;
  /** Read `files` on the reader's thread; nothing when there is none (they are read here). */
  readAhead(files: string[], onProgress: OnProgress): Promise<ReadAhead | undefined>;
}

/** The definition files of the project at `paths`, read on `reader`'s thread where one is given. */
export function createParsedDefinitions(
  paths: ProjectPaths,
  reader?: DefinitionReader,
): ParsedDefinitions {
  const files = new Map<string, ParsedFile>();
  const rel = (abs: string) => relative(paths.root, abs).split(sep).join("/");

  const readOne = (
    abs: string,
    warnings: Problem[],
    loaded = loadDefinitionFile(abs, paths.root),
  ): boolean => {
    if (loaded && !("skipped" in loaded)) {
      files.set(abs, loaded);
      return true;
    }
    if (loaded) warnings.push({ where: rel(abs), message: loaded.skipped });
    files.delete(abs);
    return false;
  };

  return {
    files,
    readOne,
    find() {
      const warnings: Problem[] = [];
      const found = findDefinitionFiles(paths.flows, (dir, code) =>
        warnings.push({
          where: rel(dir),
          message: `cannot be read (${code}); the definition files in it are not seen until it is readable`,
        }),
      );
      return { files: found, warnings };
    },
    *readFiles(list, warnings, onProgress, ahead) {
      const read: string[] = [];
      for (const [i, abs] of list.entries()) {
        if (ahead?.has(abs)) {
          if (readOne(abs, warnings, ahead.get(abs))) read.push(abs);
        } else {
          if (readOne(abs, warnings)) read.push(abs);
          onProgress?.({ phase: "reading", done: i + 1, total: list.length });
        }
        yield;
      }
      return read;
    },
    async readAhead(list, onProgress) {
      if (!reader || !list.length) return undefined;
      try {
        const total = list.length;
        const loaded = await reader.read(list, paths.root, (done) =>
          onProgress?.({ phase: "reading", done, total }),
        );
        return new Map(list.map((abs, i) => [abs, loaded[i] ?? null]));
      } catch (error) {
        if (error instanceof ReaderUnavailable) return undefined;
        throw error;
      }
    },
  };
}

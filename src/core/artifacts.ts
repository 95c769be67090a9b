/**
 * What an artifact's data must be, by type: checked by the SDK when a flow makes one (so the
 * flow's author hears at once) and by the server (for anyone else who posts one). Imported by
 * path from the SDK: it carries nothing else.
 */

/** Problems of an artifact's data (empty when good), each saying what was expected. */
export function artifactProblems(type: string, data: unknown): string[] {
  if (type === "markdown") {
    return typeof data === "string"
      ? []
      : ["data: a markdown artifact's data is its text (a string)"];
  }
  if (type === "link") {
    if (typeof data !== "string") return ["data: a link artifact's data is its URL (a string)"];
    return URL.canParse(data) ? [] : [`data: ${JSON.stringify(data)} is not a URL`];
  }
  if (type === "table") {
    if (!Array.isArray(data)) {
      return ["data: a table artifact's data is a list of rows (objects by column, or arrays)"];
    }
    const objects = data.filter((row) => row && typeof row === "object" && !Array.isArray(row));
    const arrays = data.filter(Array.isArray);
    if (objects.length !== data.length && arrays.length !== data.length) {
      return ["data: every row of a table must be an object (by column), or every row an array"];
    }
    return [];
  }
  return [`type: must be markdown, table or link, not ${JSON.stringify(type)}`];
}

/** A table's rows as columns and cells, for printing: objects by column, or arrays as they are. */
export function tableCells(rows: unknown[]): { columns: string[]; cells: string[][] } {
  const cell = (v: unknown) =>
    v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);
  if (rows.every(Array.isArray)) {
    const width = Math.max(0, ...rows.map((r) => (r as unknown[]).length));
    return {
      columns: Array.from({ length: width }, (_, i) => String(i + 1)),
      cells: rows.map((r) => Array.from({ length: width }, (_, i) => cell((r as unknown[])[i]))),
    };
  }
  const columns: string[] = [];
  for (const row of rows as Record<string, unknown>[]) {
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  return {
    columns,
    cells: (rows as Record<string, unknown>[]).map((r) => columns.map((c) => cell(r[c]))),
  };
}

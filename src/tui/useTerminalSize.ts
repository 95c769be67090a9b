import { useStdout } from "ink";
import { useEffect, useState } from "react";

const read = (stdout: NodeJS.WriteStream) => ({
  cols: stdout.columns || 80,
  rows: stdout.rows || 24,
});

/** The terminal's size, updated when it is resized. */
export function useTerminalSize(): { cols: number; rows: number } {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => read(stdout));
  useEffect(() => {
    const onResize = () => setSize(read(stdout));
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return size;
}

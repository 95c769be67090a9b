/**
 * The monitor benchmark's baseline: the smallest Ink program, compiled as orch is. Its first
 * frame is the floor for any Ink screen on this machine; orch's monitor is measured beside it.
 */
import { render, Text } from "ink";

render(<Text>orch monitor (baseline)</Text>);
// Stay up like the monitor does, until the benchmark closes the terminal.
setInterval(() => {}, 1 << 30);

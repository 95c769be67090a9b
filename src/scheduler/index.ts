export { cronProblem, isTimeZone } from "./validate-schedule.ts";

export { describeSchedule } from "../scheduler/index.ts";

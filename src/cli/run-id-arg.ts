/** The positional argument of the commands that take one run. */
export const runIdArg = {
  id: { type: "positional", description: "The run's id (a unique prefix will do)", required: true },
} as const;

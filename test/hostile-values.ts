/**
 * Values that would run as shell code if pasted into a command, each trying to create `marker`;
 * and values a command could mistake for options. A safe orch passes each one as data.
 */
export function hostileValues(marker: string): string[] {
  return [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `x; touch ${marker}`,
    `x | touch ${marker}`,
    `x && touch ${marker}`,
    `x\ntouch ${marker}`,
    `x\nEOF\ntouch ${marker}`,
    `it's'; touch ${marker}; echo '`,
    `say "hi"; touch ${marker}; echo "`,
    `\\"; touch ${marker}; \\`,
    "--option",
    "-n",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell syntax is the point
    "${HOME} $HOME",
    "  two  spaces and a * glob  ",
  ];
}

// A zone checker's refusal as one line, its error first: named-checkzone and kzonecheck print
// their warnings (an MX to a CNAME, a name check set to warn) before the line that refused the
// zone, and a refusal line that starts with sixteen warnings hides its reason.

/**
 * The checker's lines, errors first (the lines that name the reason named-checkzone gives in
 * its `loading from master file ... failed: REASON`, and errors at a file's line; then lines
 * that say error or failed), the warnings after, each group in the checker's order; joined by "; ".
 */
export function checkerWords(r: { stdout: string; stderr: string }): string {
  // stdout first: named-checkzone and nsd-checkzone print their verdict there
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const reason = lines.map((l) => /\bfailed: (.+)$/.exec(l)?.[1]).find((x) => x !== undefined);
  const rank = (l: string): number => {
    if (reason !== undefined && l.includes(reason) && !/\bfailed: /.test(l)) return 0;
    // an error at a file's line: nsd-checkzone's (on stderr, after its summary on stdout), kzonecheck's
    if (/\berror\b.*(:\d+:|', line \d+)/i.test(l)) return 0;
    if (/\berror\b|\bfailed\b|\bnot loaded\b|\berrors?:|\bhas \d+ errors\b/i.test(l)) return 1;
    return 2;
  };
  return lines
    .map((line, i) => ({ line, i, rank: rank(line) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.line)
    .join('; ');
}

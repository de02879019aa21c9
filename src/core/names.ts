// Names that zonerw turns into file names or command arguments. Validated here, strictly,
// so that nothing a base file name or config says can escape zone_dir or smuggle an option.

/**
 * A zone name as a hostname-like domain name (RFC 1035 section 2.3.1, with '_' allowed as
 * in service labels and RFC 2181 section 11 lengths): labels of 1..63 characters from
 * [A-Za-z0-9_-], not starting with '-', at most 253 characters, no final dot.
 * This also rules out '/', '..', NUL, spaces and a leading '-' (an option to a command).
 */
export function zoneNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'empty zone name';
  // zonerw names a zone's files after it (zone_file's {zone}, <zone>.base), and "." would name
  // the folder itself; the root zone is no failover zone either.
  if (name === '.') return 'the root zone is not supported: zonerw names each zone\'s files after it, and "." is the folder itself';
  if (name.endsWith('.') && name.length > 1) return 'write the zone name without the final dot';
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return `zone name may hold only letters, digits, '-', '_' and dots`;
  if (name.length > 253) return 'zone name longer than 253 characters';
  for (const label of name.split('.')) {
    if (label.length === 0) return 'zone name has an empty label (two dots in a row, or a leading dot)';
    if (label.length > 63) return `label "${label.slice(0, 20)}..." longer than 63 characters`;
    if (label.startsWith('-')) return `zone name label may not start with '-'`;
  }
  return undefined;
}

/** NAME_MAX on Linux: the bytes of one file name. */
const NAME_MAX = 255;

/**
 * A zone whose files could not be named: its zone file (zone_file with {zone} replaced) or its
 * base file (<zone>.base) longer than a file name can be. DNS allows 253 characters (RFC 2181
 * section 11), so a long zone name with a zone_file prefix or the .base suffix can pass 255.
 */
export function zoneFileNameProblem(zone: string, zoneFile: string): string | undefined {
  const bytes = (n: string) => new TextEncoder().encode(n).length;
  const base = `${zone}.base`;
  if (bytes(base) > NAME_MAX) return `zone name too long for its base file: ${zone.length} characters and ".base" pass the ${NAME_MAX} bytes a file name holds (zonerw manages zones of up to ${NAME_MAX - 5} characters)`;
  const file = zoneFile.split('{zone}').join(zone);
  if (bytes(file) > NAME_MAX) return `zone name too long for its zone file: zone_file makes it ${bytes(file)} bytes, a file name holds ${NAME_MAX}; use zone_file = "{zone}"`;
  return undefined;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within distance 2 (or equal ignoring case), for a hint. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

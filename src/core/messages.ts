// The words of a run: the line for a published zone, checker messages pointed at the base
// file, arguments quoted for a shell reader.
import type { RenderedValues, ZonePlan } from './zone-plan.js';

/**
 * `example.com: serial 2026112203, www mail -> 198.51.100.7`: for each marker whose value
 * changed since `previous` (all of them on a first publication), the records it fills.
 */
export function describePublish(input: { zone: string; owners: Readonly<Record<string, readonly string[]>>; values: RenderedValues }, plan: Extract<ZonePlan, { action: 'publish' }>, previous?: RenderedValues): string {
  const parts: string[] = [];
  const fresh = plan.why.includes('first') || plan.why.includes('missing') || previous === undefined;
  for (const [marker, value] of Object.entries(input.values)) {
    const before = previous?.[marker];
    const same = Array.isArray(value) && Array.isArray(before) ? value.join(' ') === before.join(' ') : value === before;
    if (!fresh && same) continue;
    const owners = input.owners[marker] ?? [input.zone];
    const shown = owners.length > 6 ? `${owners.slice(0, 5).join(' ')} and ${owners.length - 5} more` : owners.join(' ');
    parts.push(`${shown} -> ${Array.isArray(value) ? value.join(' ') : value}`);
  }
  if (plan.why.includes('base')) parts.push('base file changed');
  if (plan.why.includes('included')) parts.push('included file changed');
  if (plan.why.includes('missing')) parts.push('zone file was missing');
  if (plan.why.includes('first')) parts.push('first run');
  if (plan.why.includes('forced')) parts.push('forced');
  if (plan.resign !== undefined) parts.push(plan.resign);
  return `${input.zone}: serial ${plan.serial}${parts.length > 0 ? `, ${parts.join(', ')}` : ''}`;
}

/**
 * The checker names the rendered file and its line; the operator must fix the base file, and
 * @IPS@ shifts lines, so `rendered:7:` becomes `base/example.com.base:5:` (kzonecheck -v says
 * `file 'rendered', line 7`).
 */
export function pointAtBase(message: string, renderedPath: string, basePath: string, baseLine: readonly number[]): string {
  return message.split(renderedPath).map((part, i) => {
    if (i === 0) return part;
    const m = /^(:|', line )(\d+)/.exec(part);
    const line = m ? baseLine[Number(m[2]) - 1] : undefined;
    return basePath + (m && line !== undefined ? `${m[1]}${line}${part.slice(m[0].length)}` : part);
  }).join('');
}

/**
 * A checker that gave no verdict (killed by the timeout, by a signal, or never started), as
 * the start of one line: `named-checkzone timed out after 10s`. Never its partial output.
 */
export function describeUnfinished(checker: string | undefined, reason: string): string {
  return reason.startsWith('cannot run') ? reason : `${checker ?? 'the zone checker'} ${reason}`;
}

export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * A zone whose base file was deleted (zones found in base_dir): zonerw no longer publishes
 * it, and says so on every run until the zone is restored or retired.
 */
export function describeGoneBase(zone: string, shown: { base: string; file: string }): string {
  return `${shown.base} is gone: zone ${zone} is no longer published, and its zone file ${shown.file} stays as it is (the nameserver keeps serving it); ` +
    `restore the base file, or retire the zone: remove it from the nameserver's config and delete ${shown.file}`;
}

/** A zone whose base file and zone file are both gone: retired, and forgotten by zonerw. */
export function describeRetired(zone: string, shown: { base: string; file: string }): string {
  return `${zone}: ${shown.base} and ${shown.file} are gone: zone ${zone} is retired, and zonerw forgets it`;
}

// The words of a run: the line for a published zone, checker messages pointed at the base
// file, arguments quoted for a shell reader.
import { slotsOf, type Template } from './markers.js';
import type { RenderedValues, ZonePlan } from './plan.js';

/**
 * `example.com: serial 2026112203, www mail -> 198.51.100.7`: for each marker whose value
 * changed since `previous` (all of them on a first publication), the records it fills.
 */
export function describePublish(input: { zone: string; template: Template; values: RenderedValues }, plan: Extract<ZonePlan, { action: 'publish' }>, previous?: RenderedValues): string {
  const parts: string[] = [];
  const fresh = plan.why.includes('first') || plan.why.includes('missing') || previous === undefined;
  for (const [marker, value] of Object.entries(input.values)) {
    const before = previous?.[marker];
    const same = Array.isArray(value) && Array.isArray(before) ? value.join(' ') === before.join(' ') : value === before;
    if (!fresh && same) continue;
    const owners = [...new Set(slotsOf(input.template, marker).map((s) => s.owner || input.zone))];
    const shown = owners.length > 6 ? `${owners.slice(0, 5).join(' ')} and ${owners.length - 5} more` : owners.join(' ');
    parts.push(`${shown} -> ${Array.isArray(value) ? value.join(' ') : value}`);
  }
  if (plan.why.includes('base')) parts.push('base file changed');
  if (plan.why.includes('missing')) parts.push('zone file was missing');
  if (plan.why.includes('first')) parts.push('first run');
  if (plan.why.includes('forced')) parts.push('forced');
  if (plan.resign !== undefined) parts.push(plan.resign);
  return `${input.zone}: serial ${plan.serial}${parts.length > 0 ? `, ${parts.join(', ')}` : ''}`;
}

/**
 * The checker names the rendered file and its line; the operator must fix the base file, and
 * @IPS@ shifts lines, so `rendered:7:` becomes `base/example.com.base:5:`.
 */
export function pointAtBase(message: string, renderedPath: string, basePath: string, baseLine: readonly number[]): string {
  return message.split(renderedPath).map((part, i) => {
    if (i === 0) return part;
    const m = /^:(\d+)/.exec(part);
    const line = m ? baseLine[Number(m[1]) - 1] : undefined;
    return basePath + (m && line !== undefined ? `:${line}${part.slice(m[0].length)}` : part);
  }).join('');
}

export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

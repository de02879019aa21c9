// The unified diff --dry-run prints, computed by jsdiff (Myers' O(ND) diff: a 12,000-line zone
// with its first and last lines changed costs about one pass over it, and prints two small
// hunks). Only --dry-run loads this module (through run/dry-run-show.ts), and jsdiff with it:
// a plain run never evaluates either.
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch, type StructuredPatch } from 'diff';

const CONTEXT = 3;
/**
 * Myers' cost grows with the length times the number of changed lines (measured: a 12,000-line
 * zone with every line changed, 78 s unbounded; 0.4 s stopped at 1,000 edits): past this many
 * edits the changed middle (common head and tail trimmed) is shown replaced whole.
 */
const MAX_EDITS = 1000;

/** A unified diff (`--- old`, `+++ new`, hunks with 3 lines of context); '' when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string): string {
  if (oldText === newText) return '';
  const patch = structuredPatch(oldName, newName, oldText, newText, undefined, undefined, { context: CONTEXT, maxEditLength: MAX_EDITS, stripTrailingCr: true });
  return formatPatch(patch ?? replacedWhole(oldText, newText, oldName, newName), FILE_HEADERS_ONLY);
}

/** One hunk: the common head and tail kept as context, everything between removed and added. */
function replacedWhole(oldText: string, newText: string, oldName: string, newName: string): StructuredPatch {
  const a = linesOf(oldText);
  const b = linesOf(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const from = Math.max(0, head - CONTEXT);
  const after = Math.min(tail, CONTEXT);
  const before = a.slice(from, head);
  const lines = [
    ...before.map((l) => ` ${l}`),
    ...a.slice(head, a.length - tail).map((l) => `-${l}`),
    ...b.slice(head, b.length - tail).map((l) => `+${l}`),
    ...a.slice(a.length - tail, a.length - tail + after).map((l) => ` ${l}`),
  ];
  const oldLines = a.length - tail + after - from;
  const newLines = b.length - tail + after - from;
  return { oldFileName: oldName, newFileName: newName, oldHeader: undefined, newHeader: undefined, hunks: [{ oldStart: from + 1, oldLines, newStart: from + 1, newLines, lines }] };
}

function linesOf(text: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// A publish whose only reason is its signatures (they were about to expire, or had expired) is a
// re-sign, not an ordinary publish: its output line names the NEW expiry (the signer's output;
// the plan only knew the old one), and the history records it as a `resign` event with the old
// and the new expiry.
import { utcTime } from '../core/format.js';
import type { HistoryEvent } from '../core/history.js';
import type { PublishPlan } from '../core/run-plan.js';
import type { SignedZone } from './staged.js';

/** The publish line with the re-sign reason said with the new expiry: `re-signed: signatures now expire NEW UTC (they expired OLD UTC)`. */
export function resignedLine(line: string, publish: Pick<PublishPlan, 'resign'>, signed: Pick<SignedZone, 'expires'> | undefined): string {
  const reason = publish.resign;
  if (reason === undefined || signed?.expires === undefined) return line;
  const at = line.lastIndexOf(reason);
  if (at === -1) return line;
  const m = /^signatures (expired?) (.+ UTC)$/.exec(reason);
  const now = `signatures now expire ${utcTime(signed.expires)} UTC`;
  const words = m ? `re-signed: ${now} (they ${m[1]} ${m[2]})` : `${reason}: ${now}`;
  return line.slice(0, at) + words + line.slice(at + reason.length);
}

/** The history event of an install: `resign` when the signatures were its only reason, else `publish`. */
export function installEvent(t: number, zone: string, publish: Pick<PublishPlan, 'serial' | 'why' | 'resign'>, was: number | undefined, expires: number | undefined): HistoryEvent {
  if (publish.why.length === 1 && publish.why[0] === 'resign' && publish.resign !== undefined) {
    return { t, type: 'resign', zone, serial: publish.serial, reason: publish.resign, ...(was !== undefined ? { was } : {}), ...(expires !== undefined ? { expires } : {}) };
  }
  return { t, type: 'publish', zone, serial: publish.serial, why: publish.why };
}

// Is the zone checker there? With kind nsd, bind or knot and checkzone = "auto", a checker that
// cannot be found means zones go out unvalidated: a run warns on every run, `zonerw check` fails.
import { missingCheckerAdvice, profile, type NameserverSettings } from '../core/nameserver.js';
import type { Deps } from './ports.js';

/** Why no checker can validate the zones under checkzone = "auto", or undefined when one can (or none is wanted). */
export async function missingChecker(ns: Pick<NameserverSettings, 'kind' | 'checkzone'>, findProgram: Deps['findProgram']): Promise<string | undefined> {
  if (ns.kind === 'none' || ns.checkzone !== 'auto') return undefined;
  for (const checker of profile(ns.kind).checkers) if (await findProgram(checker.program)) return undefined;
  return `nameserver.checkzone: ${missingCheckerAdvice(ns.kind)}`;
}

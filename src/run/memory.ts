// Peak memory of a big run. What a 1,000-zone transition holds is small (its plan keeps hashes
// and counts, not zone texts: about 10 MB of live heap, measured with --expose-gc), but it
// reads, parses and renders every zone, and V8 answers that stream of short-lived objects by
// growing its young generation to the 16 MB semi-spaces' limit and its old generation by
// V8's default factor: ~40 MB more RSS for garbage. Measured on that transition (after the merge
// of issue 17): peak RSS 96-98 MB as V8 sets it, 81-84 MB with both flags below, for about the
// same CPU time (many small scavenges instead of a few large ones). The flags are read when a
// space would grow, so setting them at run time holds (given on the command line instead,
// --max-semi-space-size is overridden by Node's own heap setup). Set first thing in the CLI's
// main: the trust checks already stat every base file before a run starts.
import { setFlagsFromString } from 'node:v8';

export function keepHeapSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1'); // the young generation stays at its first size
  setFlagsFromString('--heap-growing-percent=50'); // the old generation grows by half, not V8's default
}

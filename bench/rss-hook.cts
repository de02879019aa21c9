// Preloaded with `node --require dist/bench/rss-hook.cjs` into every measured node command (zonerw
// and `node -e 0` alike) when GNU time is not installed: at exit it writes the process's peak RSS
// (process.resourceUsage().maxRSS, KB) to $ZONERW_BENCH_RSS. CommonJS and a few lines, so that it
// adds next to nothing to the wall time the bench measures at the same time.
import { writeFileSync } from 'node:fs';

const out = process.env.ZONERW_BENCH_RSS;
if (out) {
  process.on('exit', () => {
    try {
      writeFileSync(out, String(process.resourceUsage().maxRSS));
    } catch {
      // the bench reports the RSS as unknown
    }
  });
}

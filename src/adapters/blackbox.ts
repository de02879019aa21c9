// Asks a blackbox_exporter (a [[vantage]]) to probe a target: GET /probe?target=…&module=…,
// with X-Prometheus-Scrape-Timeout-Seconds so that it bounds its own probe by the time zonerw
// gives it (blackbox_exporter takes that header, less its timeout offset, as the probe's
// deadline). probe_success 1 or 0 is the vantage's vote; anything else (refused, timed out, an
// HTTP error such as an unknown module, an answer without probe_success) is no vote, with the
// reason. It never throws, and one deadline covers the whole request.
import type { VantageAnswer } from '../core/probe.js';
import { formatMs } from '../core/format.js';
import { describeNetError } from './http-check.js';

/** blackbox_exporter's answer is a few kB of metrics; more than this is not one. */
const MAX_BYTES = 1 << 20;

/** `blackbox`: the exporter's base URL; `target`: a URL for http modules, HOST:PORT for tcp ones. */
export async function askBlackbox(blackbox: string, target: string, module: string, timeoutMs: number): Promise<VantageAnswer> {
  let url: URL;
  try {
    url = new URL(`${blackbox.replace(/\/+$/, '')}/probe`);
  } catch {
    return { error: `not a URL: ${blackbox}` };
  }
  url.searchParams.set('target', target);
  url.searchParams.set('module', module);
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<VantageAnswer>((resolve) => {
    let settled = false;
    const finish = (answer: VantageAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.on('error', () => {});
      req.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ error: `timed out after ${formatMs(timeoutMs)}` }), timeoutMs);
    const headers = { 'X-Prometheus-Scrape-Timeout-Seconds': (timeoutMs / 1000).toFixed(3), 'User-Agent': 'zonerw', Accept: 'text/plain', Connection: 'close' };
    const req = request(url, { method: 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) return finish({ error: 'answer too large' });
        chunks.push(chunk);
      });
      res.on('error', (err) => finish({ error: describeNetError(err, url.hostname) }));
      res.on('end', () => finish(readAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), module)));
    });
    req.on('error', (err) => finish({ error: describeNetError(err, url.hostname) }));
    req.end();
  });
}

/** The vote in an answer: probe_success, with what the probe saw as the reason. */
export function readAnswer(status: number, body: string, module: string): VantageAnswer {
  if (status !== 200) {
    // blackbox_exporter says `Unknown module "x"` with a 400
    const said = body.trim().split('\n')[0]?.slice(0, 200) ?? '';
    return { error: /unknown module/i.test(said) ? `unknown module "${module}"` : `HTTP ${status}${said ? `: ${said}` : ''}` };
  }
  const value = (name: string) => new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(body)?.[1];
  const success = value('probe_success');
  if (success !== '0' && success !== '1') return { error: 'no probe_success in the answer' };
  const code = Number(value('probe_http_status_code'));
  const seen = Number.isInteger(code) && code > 0 ? `HTTP ${code}` : success === '1' ? 'probe succeeded' : 'probe failed';
  return { up: success === '1', reason: seen };
}

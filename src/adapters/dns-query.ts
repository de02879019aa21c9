// One DNS question over UDP, with dns-packet (the maintained codec) and a hard timeout: what
// zonerw uses to ask a secondary which serial it serves. Loaded only when secondaries are
// configured (dns-packet costs ~20 ms to import). Never throws.
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Packet } from 'dns-packet';

export type DnsResponse = Packet & { rcode?: string };

export async function dnsQuery(
  host: string,
  port: number,
  name: string,
  type: 'SOA' | 'A' | 'AAAA' | 'NS',
  timeoutMs: number,
): Promise<{ response: DnsResponse } | { error: string }> {
  const [{ default: dnsPacket }, address] = await Promise.all([import('dns-packet'), resolveHost(host)]);
  if (address === undefined) return { error: `name not found: ${host}` };
  return new Promise((done) => {
    const id = Math.floor(Math.random() * 65536);
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    let finished = false;
    const finish = (r: { response: DnsResponse } | { error: string }) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      done(r);
    };
    const timer = setTimeout(() => finish({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('error', (e) => finish({ error: e.message }));
    socket.on('message', (msg) => {
      try {
        const response = dnsPacket.decode(msg) as DnsResponse;
        if (response.id === id) finish({ response });
      } catch {
        // not a DNS message for us: keep waiting until the deadline
      }
    });
    const packet = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type, name, class: 'IN' }] });
    socket.send(packet, port, address, (err) => err && finish({ error: err.message }));
  });
}

/** The SOA serial `zone` has on host:port, or why there is none. */
export async function querySoaSerial(host: string, port: number, zone: string, timeoutMs: number): Promise<{ serial: number } | { error: string }> {
  const r = await dnsQuery(host, port, zone, 'SOA', timeoutMs);
  if ('error' in r) return r;
  const rcode = r.response.rcode ?? 'NOERROR';
  if (rcode !== 'NOERROR') return { error: rcode };
  const same = (a: string) => a.replace(/\.$/, '').toLowerCase() === zone.replace(/\.$/, '').toLowerCase();
  for (const a of r.response.answers ?? []) {
    if (a.type === 'SOA' && same(a.name) && a.data.serial !== undefined) return { serial: a.data.serial };
  }
  return { error: 'no SOA in the answer' };
}

async function resolveHost(host: string): Promise<string | undefined> {
  if (isIP(host)) return host;
  const { lookup } = await import('node:dns/promises');
  return lookup(host).then(
    (r) => r.address,
    () => undefined,
  );
}

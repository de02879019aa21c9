// DNS questions over UDP, with dns-packet (the maintained codec) and a hard timeout: what zonerw
// uses to ask the primary and the secondaries what they serve of a zone (SOA serial, and the
// addresses of the names it rendered from markers). Loaded only when a run asks (a steady run
// does not). Never throws. An answer counts only when it comes from the address and port asked
// and answers the question asked (RFC 5452 section 4): a matching 16-bit id alone is a guess
// away for anyone who can send a datagram.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { formatMs } from '../core/format.js';
import { isIP } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import type { AddressAnswer, AddressType, ZoneAnswer } from '../core/served.js';

export type DnsResponse = Packet & { rcode?: string };

export async function dnsQuery(
  host: string,
  port: number,
  name: string,
  type: 'SOA' | 'A' | 'AAAA' | 'NS',
  timeoutMs: number,
): Promise<{ response: DnsResponse } | { error: string }> {
  const address = await resolveHost(host);
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
    const timer = setTimeout(() => finish({ error: `no answer within ${formatMs(timeoutMs)}` }), timeoutMs);
    socket.on('error', (e) => finish({ error: e.message }));
    socket.on('message', (msg, from) => {
      if (!sameSource(from, address, port)) return; // not from where we asked: keep waiting
      try {
        const response = dnsPacket.decode(msg) as DnsResponse;
        if (response.id === id && response.type === 'response' && answersQuestion(response, name, type)) finish({ response });
      } catch {
        // not a DNS message for us: keep waiting until the deadline
      }
    });
    const packet = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type, name, class: 'IN' }] });
    socket.send(packet, port, address, (err) => err && finish({ error: err.message }));
  });
}

const sameName = (a: string, b: string) => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

/** Whether a datagram came from the address and port the question went to (an IPv4-mapped IPv6 source counts as its IPv4). */
function sameSource(from: RemoteInfo, address: string, port: number): boolean {
  // IPv6 in one spelling (URL's, RFC 5952), an IPv4-mapped one as its IPv4
  const canonical = (a: string) => (isIP(a) === 6 ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a);
  const plain = (a: string) => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)?.[1] ?? canonical(a).toLowerCase();
  return from.port === port && plain(from.address) === plain(address);
}

/** Whether a response carries exactly the question asked: one question, same name (case aside), type and class (RFC 1035 section 7.3). */
function answersQuestion(response: DnsResponse, name: string, type: string): boolean {
  const qs = response.questions ?? [];
  const q = qs[0];
  return qs.length === 1 && q !== undefined && sameName(q.name, name) && q.type === type && (q.class ?? 'IN') === 'IN';
}

/** The SOA serial `zone` has on host:port, or why there is none (`answered`: something did answer). */
export async function querySoaSerial(host: string, port: number, zone: string, timeoutMs: number): Promise<{ serial: number } | { error: string; answered: boolean }> {
  const r = await dnsQuery(host, port, zone, 'SOA', timeoutMs);
  if ('error' in r) return { ...r, answered: false };
  const rcode = r.response.rcode ?? 'NOERROR';
  if (rcode !== 'NOERROR') return { error: rcode, answered: true };
  for (const a of r.response.answers ?? []) {
    if (a.type === 'SOA' && sameName(a.name, zone) && a.data.serial !== undefined) return { serial: a.data.serial };
  }
  return { error: 'no SOA in the answer', answered: true };
}

/**
 * The addresses of `name` (A or AAAA) on host:port: the answer's records of that name, or, in a
 * referral (the name is below a delegation), the glue in the additional section.
 */
export async function queryAddresses(host: string, port: number, name: string, type: AddressType, timeoutMs: number): Promise<AddressAnswer & { error?: string }> {
  const r = await dnsQuery(host, port, name, type, timeoutMs);
  if ('error' in r) return { name, type, addresses: [], error: r.error };
  const pick = (rs: DnsResponse['answers']) => (rs ?? []).flatMap((a) => (a.type === type && sameName(a.name, name) ? [String(a.data)] : []));
  const answers = pick(r.response.answers);
  return { name, type, addresses: answers.length > 0 ? answers : pick(r.response.additionals) };
}

/**
 * What host:port serves of `zone`: the SOA serial and each name's addresses, all asked at once
 * (one round trip); the addresses count only when the SOA answered.
 */
export async function askZone(host: string, port: number, zone: string, names: readonly { name: string; type: AddressType }[], timeoutMs: number): Promise<ZoneAnswer> {
  const [soa, ...addresses] = await Promise.all([querySoaSerial(host, port, zone, timeoutMs), ...names.map((n) => queryAddresses(host, port, n.name, n.type, timeoutMs))]);
  if ('error' in soa!) return { problem: soa.error, answered: soa.answered, addresses: [] };
  return { serial: soa!.serial, answered: true, addresses: (addresses as AddressAnswer[]).map(({ name, type, addresses: a }) => ({ name, type, addresses: a })) };
}

async function resolveHost(host: string): Promise<string | undefined> {
  if (isIP(host)) return host;
  const { lookup } = await import('node:dns/promises');
  return lookup(host).then(
    (r) => r.address,
    () => undefined,
  );
}

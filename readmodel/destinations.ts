import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { quoted } from '../domain/text';

/**
 * Where webhooks may go. A subscription's URL is the integrator's choice, so without a check the
 * dispatcher would POST wherever it is told: to the database on loopback, a service on the
 * private network, the cloud metadata endpoint. Only public unicast addresses are allowed,
 * classified by ipaddr.js (IANA special-purpose registries); an operator may let named hosts or
 * networks through (WEBHOOK_ALLOWED_DESTINATIONS). The check runs when a subscription is made
 * and again on every delivery, on the very address the connection then uses.
 */

/** One resolved address of a host name. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Host name → every address it has; rejects when it does not resolve. Injected in tests. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** Hosts and networks an operator lets through although they are not public: on-premises receivers, tests. */
export interface DestinationAllowlist {
  hosts: readonly string[];
  networks: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

export const NO_ALLOWLIST: DestinationAllowlist = { hosts: [], networks: [] };

/** A destination the rules refuse; `rule` names the range or name rule it falls under. */
export class ForbiddenDestinationError extends Error {
  override readonly name = 'ForbiddenDestinationError';
  constructor(
    readonly destination: string,
    readonly rule: string,
  ) {
    super(`destination ${destination} is not allowed (${rule})`);
  }
}

/** A host name that does not resolve, or not in time. */
export class UnresolvedDestinationError extends Error {
  override readonly name = 'UnresolvedDestinationError';
  constructor(readonly host: string) {
    super(`host ${quoted(host, 64)} does not resolve`);
  }
}

// Cloud instance metadata: refused even when an allowlisted network or name covers them.
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);
const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254', '100.100.100.200'].map((a) => ipaddr.parse(a).toNormalizedString());

const HOST_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** A URL's host as the rules see it: lower case, brackets and trailing dots gone (`localhost.` is `localhost`). */
export function normalHost(hostname: string): string {
  const h = hostname.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) return h.slice(1, -1);
  return h.replace(/\.+$/, '');
}

/**
 * Parses WEBHOOK_ALLOWED_DESTINATIONS: comma-separated host names and CIDRs (a bare address is
 * one host). Throws a RangeError naming the first entry that is neither.
 */
export function parseAllowlist(text: string): DestinationAllowlist {
  const hosts: string[] = [];
  const networks: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new RangeError(`${quoted(entry, 64)} is not a CIDR such as 10.0.0.0/8`);
      networks.push(ipaddr.parseCIDR(entry));
    } else if (isIP(entry)) {
      const address = ipaddr.parse(entry);
      networks.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOST_RE.test(normalHost(entry))) {
      hosts.push(normalHost(entry));
    } else {
      throw new RangeError(`${quoted(entry, 64)} is neither a host name nor a CIDR`);
    }
  }
  return { hosts, networks };
}

/** The IPv4 address an IPv6 one carries (mapped, translated, NAT64, 6to4, compatible), or null. */
function embeddedIPv4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = a.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  if (a.isIPv4MappedAddress()) return a.toIPv4Address();
  // ::ffff:0:a.b.c.d (RFC 6145), 64:ff9b::a.b.c.d (RFC 6052 NAT64), ::a.b.c.d (deprecated IPv4-compatible).
  const head = (...xs: number[]) => xs.every((x, i) => p[i] === x);
  if (head(0, 0, 0, 0, 0xffff, 0) || head(0x64, 0xff9b, 0, 0, 0, 0) || head(0, 0, 0, 0, 0, 0)) return v4(p[6]!, p[7]!);
  // 2002:AABB:CCDD::/16 (6to4) routes to AA.BB.CC.DD.
  if (p[0] === 0x2002) return v4(p[1]!, p[2]!);
  return null;
}

/**
 * Why an address may not be a destination (its special-purpose range), or null for a public
 * unicast address. IPv6 forms that embed an IPv4 address answer for the embedded one.
 */
export function addressRule(address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  if (address.kind() === 'ipv4') {
    const range = (address as ipaddr.IPv4).range();
    return range === 'unicast' ? null : range;
  }
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'unspecified' || range === 'loopback') return range;
  const inner = embeddedIPv4(v6);
  if (inner) {
    const innerRule = addressRule(inner);
    if (innerRule) return `${innerRule}, embedded in IPv6`;
    // ::a.b.c.d is deprecated and the local-use NAT64 prefix is someone's private network.
    if (range === 'unicast' && v6.parts[0] === 0) return 'IPv4-compatible IPv6';
    return null;
  }
  return range === 'unicast' ? null : range;
}

function inNetworks(address: ipaddr.IPv4 | ipaddr.IPv6, networks: DestinationAllowlist['networks']): boolean {
  const plain = address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
  return networks.some(([net, bits]) => net.kind() === plain.kind() && plain.match(net, bits));
}

/** Why a URL's host name may not be a destination whatever it resolves to, or null. */
export function hostRule(host: string, allowlist: DestinationAllowlist): string | null {
  const h = normalHost(host);
  if (METADATA_NAMES.has(h)) return 'cloud metadata';
  if (allowlist.hosts.includes(h)) return null;
  if (h === 'localhost' || h.endsWith('.localhost')) return 'localhost';
  return null;
}

/** Throws ForbiddenDestinationError unless `address` may be connected to for a URL whose host is `host`. */
export function checkAddress(host: string, address: string, allowlist: DestinationAllowlist): void {
  const parsed = ipaddr.parse(address.replace(/%.*$/, ''));
  const inner = parsed.kind() === 'ipv6' ? embeddedIPv4(parsed as ipaddr.IPv6) : null;
  if ([parsed, inner].some((a) => a && METADATA_ADDRESSES.includes(a.toNormalizedString()))) throw new ForbiddenDestinationError(address, 'cloud metadata');
  if (allowlist.hosts.includes(normalHost(host)) || inNetworks(parsed, allowlist.networks)) return;
  const rule = addressRule(parsed);
  if (rule) throw new ForbiddenDestinationError(address, rule);
}

export interface DestinationCheckOptions {
  allowlist: DestinationAllowlist;
  resolve?: Resolver;
  /** How long a name may take to resolve (default 5 s). */
  timeoutMs?: number;
}

/**
 * Checks a URL's destination now: the name rules, then the literal address or every address the
 * name resolves to (one forbidden address is enough to refuse: the connection could use it).
 * Throws ForbiddenDestinationError or UnresolvedDestinationError; returns the addresses checked.
 */
export async function checkDestination(url: URL, options: DestinationCheckOptions): Promise<string[]> {
  const host = normalHost(url.hostname);
  const nameRule = hostRule(host, options.allowlist);
  if (nameRule) throw new ForbiddenDestinationError(quoted(host, 64), nameRule);
  if (isIP(host)) {
    checkAddress(host, host, options.allowlist);
    return [host];
  }
  const addresses = await resolveWithin(options.resolve ?? systemResolver, host, options.timeoutMs ?? 5_000);
  for (const a of addresses) checkAddress(host, a.address, options.allowlist);
  return addresses.map((a) => a.address);
}

async function resolveWithin(resolve: Resolver, host: string, timeoutMs: number): Promise<ResolvedAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      resolve(host),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new UnresolvedDestinationError(host)), timeoutMs);
      }),
    ]);
    if (addresses.length === 0) throw new UnresolvedDestinationError(host);
    return addresses;
  } catch (err) {
    if (err instanceof UnresolvedDestinationError) throw err;
    throw new UnresolvedDestinationError(host);
  } finally {
    clearTimeout(timer);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http(s) requests: resolves the name, refuses it if any address is
 * forbidden, and hands the socket only addresses it checked. So a name that resolved to a public
 * address when the subscription was made and to 127.0.0.1 now (DNS rebinding) is not connected to.
 */
export function guardedLookup(allowlist: DestinationAllowlist, resolve: Resolver = systemResolver) {
  return (hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback): void => {
    const host = normalHost(hostname);
    const done = (err: Error) => callback(Object.assign(err, { code: err instanceof ForbiddenDestinationError ? 'EFORBIDDEN' : 'ENOTFOUND' }), []);
    const nameRule = hostRule(host, allowlist);
    if (nameRule) return done(new ForbiddenDestinationError(quoted(host, 64), nameRule));
    resolve(host).then(
      (addresses) => {
        try {
          for (const a of addresses) checkAddress(host, a.address, allowlist);
        } catch (err) {
          return done(err as Error);
        }
        const family = options.family === 'IPv6' || options.family === 6 ? 6 : options.family === 'IPv4' || options.family === 4 ? 4 : 0;
        const usable = addresses.filter((a) => family === 0 || a.family === family);
        if (usable.length === 0) return done(new UnresolvedDestinationError(host));
        if (options.all) return callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      () => done(new UnresolvedDestinationError(host)),
    );
  };
}

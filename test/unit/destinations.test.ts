import { describe, expect, it } from 'vitest';
import {
  checkDestination,
  ForbiddenDestinationError,
  guardedLookup,
  NO_ALLOWLIST,
  parseAllowlist,
  UnresolvedDestinationError,
  type ResolvedAddress,
  type Resolver,
} from '../../readmodel/destinations';
import { FORBIDDEN_URLS } from '../helpers/destinations';

/** A resolver from a fixed table: no real DNS in tests. */
const table =
  (entries: Record<string, string[]>): Resolver =>
  async (host) => {
    const addresses = entries[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const noDns: Resolver = async (host) => {
  throw new Error(`the test resolved ${host}`);
};

/** The rule a URL is refused under, or 'allowed'. */
async function ruleOf(url: string, resolve: Resolver = noDns, allowlist = NO_ALLOWLIST): Promise<string> {
  try {
    await checkDestination(new URL(url), { allowlist, resolve });
    return 'allowed';
  } catch (err) {
    if (err instanceof ForbiddenDestinationError) return err.rule;
    if (err instanceof UnresolvedDestinationError) return 'unresolved';
    throw err;
  }
}

describe('webhook destinations', () => {
  it.each(FORBIDDEN_URLS)('refuses %s (%s) without asking DNS', async (url, rule) => {
    expect(await ruleOf(url)).toBe(rule);
  });

  it('allows public addresses, literal or by name, in both families', async () => {
    expect(await ruleOf('https://93.184.216.34/hooks')).toBe('allowed');
    expect(await ruleOf('https://[2606:2800:220:1:248:1893:25c8:1946]/hooks')).toBe('allowed');
    expect(await ruleOf('https://[::ffff:93.184.216.34]/hooks')).toBe('allowed');
    expect(await ruleOf('https://hooks.example.com/x', table({ 'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'] }))).toBe('allowed');
  });

  it('refuses a name when any address it resolves to is forbidden, and a name that does not resolve', async () => {
    const dns = table({ 'inside.example.com': ['10.0.0.5'], 'mixed.example.com': ['93.184.216.34', '127.0.0.1'], 'v6.example.com': ['::1'] });
    expect(await ruleOf('https://inside.example.com/x', dns)).toBe('private');
    expect(await ruleOf('https://mixed.example.com/x', dns)).toBe('loopback');
    expect(await ruleOf('https://v6.example.com/x', dns)).toBe('loopback');
    expect(await ruleOf('https://nowhere.example.com/x', dns)).toBe('unresolved');
  });

  it('gives up on a name that takes longer than the timeout to resolve', async () => {
    const slow: Resolver = () => new Promise(() => undefined);
    await expect(checkDestination(new URL('https://slow.example.com/'), { allowlist: NO_ALLOWLIST, resolve: slow, timeoutMs: 50 })).rejects.toBeInstanceOf(UnresolvedDestinationError);
  });

  it('lets allowlisted networks and names through, but never the cloud metadata endpoint', async () => {
    const allowlist = parseAllowlist(' 127.0.0.1/32 , receiver.internal, 10.20.0.0/16,fd00:abcd::/32 ');
    const dns = table({ 'receiver.internal': ['10.9.9.9'], 'other.internal': ['10.9.9.9'] });
    expect(await ruleOf('http://127.0.0.1:8080/x', noDns, allowlist)).toBe('allowed');
    expect(await ruleOf('http://[::ffff:127.0.0.1]:8080/x', noDns, allowlist)).toBe('allowed');
    expect(await ruleOf('http://127.0.0.2/x', noDns, allowlist)).toBe('loopback');
    expect(await ruleOf('http://10.20.3.4/x', noDns, allowlist)).toBe('allowed');
    expect(await ruleOf('http://[fd00:abcd::1]/x', noDns, allowlist)).toBe('allowed');
    expect(await ruleOf('http://receiver.internal/x', dns, allowlist)).toBe('allowed');
    expect(await ruleOf('http://RECEIVER.INTERNAL./x', dns, allowlist)).toBe('allowed');
    expect(await ruleOf('http://other.internal/x', dns, allowlist)).toBe('private');
    expect(await ruleOf('http://localhost/x', noDns, allowlist)).toBe('localhost');
    expect(await ruleOf('http://169.254.169.254/x', noDns, parseAllowlist('169.254.0.0/16'))).toBe('cloud metadata');
    expect(await ruleOf('http://metadata.google.internal/x', noDns, parseAllowlist('metadata.google.internal'))).toBe('cloud metadata');
  });

  it('reads the allowlist setting strictly: host names and CIDRs, nothing else', () => {
    expect(parseAllowlist('')).toEqual({ hosts: [], networks: [] });
    expect(parseAllowlist('receiver.internal,127.0.0.1').hosts).toEqual(['receiver.internal']);
    expect(parseAllowlist('127.0.0.1').networks).toHaveLength(1);
    for (const bad of ['10.0.0.0/33', 'http://x', 'a b', '*.example.com', '::1/129', 'x'.repeat(300)]) {
      expect(() => parseAllowlist(bad), bad).toThrow(RangeError);
    }
  });

  it('hands a socket only addresses it checked: a rebound name fails the lookup with the address refused', async () => {
    let answer = ['93.184.216.34'];
    const lookup = guardedLookup(NO_ALLOWLIST, async () => answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as ResolvedAddress));
    const ask = (options: { all?: boolean; family?: number }) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((r) => lookup('rebind.example.com', options, (err, address, family) => r({ err, address, family })));

    expect(await ask({})).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect(await ask({ all: true })).toEqual({ err: null, address: [{ address: '93.184.216.34', family: 4 }], family: undefined });
    answer = ['127.0.0.1'];
    const refused = await ask({ all: true });
    expect(refused.err?.message).toBe('destination 127.0.0.1 is not allowed (loopback)');
    expect(refused.err?.code).toBe('EFORBIDDEN');
    answer = ['93.184.216.34', '::1'];
    expect((await ask({ family: 4 })).err?.message).toBe('destination ::1 is not allowed (loopback)');
  });
});

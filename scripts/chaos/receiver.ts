import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../readmodel/webhooks';

/**
 * The integrator's end of the webhooks, on 127.0.0.1: it checks each delivery's signature and
 * keeps, per application, how many times each event seq arrived (at least once is the promise,
 * so repeats are counted, not refused).
 */
export class WebhookReceiver {
  private server?: Server;
  secret = '';
  /** applicationId → seq → deliveries. */
  readonly seqs = new Map<string, Map<number, number>>();
  deliveries = 0;
  badSignatures = 0;
  unreadable = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        this.deliveries++;
        if (!verifySignature(this.secret, String(req.headers['x-signature'] ?? ''), body, 600, Math.floor(Date.now() / 1000))) this.badSignatures++;
        try {
          const event = JSON.parse(body.toString('utf8')) as { applicationId: string; seq: number };
          const bySeq = this.seqs.get(event.applicationId) ?? new Map<number, number>();
          bySeq.set(event.seq, (bySeq.get(event.seq) ?? 0) + 1);
          this.seqs.set(event.applicationId, bySeq);
        } catch {
          this.unreadable++;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** Seqs of 1..last that never arrived. */
  missing(applicationId: string, last: number): number[] {
    const bySeq = this.seqs.get(applicationId);
    const out: number[] = [];
    for (let s = 1; s <= last; s++) if (!bySeq?.has(s)) out.push(s);
    return out;
  }

  duplicates(applicationId: string): number {
    let n = 0;
    for (const count of this.seqs.get(applicationId)?.values() ?? []) n += count - 1;
    return n;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

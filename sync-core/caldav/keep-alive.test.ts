import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CalDavClient } from './client.js';

const ANSWER = '<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:"><d:sync-token>http://example.com/sync/1</d:sync-token></d:multistatus>';

describe('the CalDAV client keeps its connection', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('across REPORTs with a body (undici would open a new connection after each)', async () => {
    let connections = 0;
    const bodies: string[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += String(d)));
      req.on('end', () => {
        bodies.push(`${req.method} ${body.includes('sync-collection') ? 'sync-collection' : body}`);
        res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(ANSWER) });
        res.end(ANSWER);
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cal/`;
    const client = new CalDavClient({ serverUrl: url, appleId: 'a@example.com', password: 'x' });
    for (let i = 0; i < 10; i++) expect((await client.syncChanges(url, null)).token).toBe('http://example.com/sync/1');
    expect(bodies).toEqual(Array(10).fill('REPORT sync-collection'));
    // undici waits one event-loop turn before it reuses a socket, so a request sent right after an
    // answer may open a second one; never one per request (Node's own fetch: ten).
    expect(connections).toBeLessThanOrEqual(2);
  });
});

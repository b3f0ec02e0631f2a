/**
 * Shared set-up for the wire tests: the demo world on a pinned clock, Basic credentials, and a
 * supertest agent for each origin.
 */
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { startMockICloud, type MockICloudOptions, type RunningMockICloud } from '../index.js';

export const DEMO_WORLD = fileURLToPath(new URL('../../fixtures/worlds/demo.yaml', import.meta.url));
export const FIXED_NOW = Date.parse('2026-11-21T09:00:00Z');

export const ALICE = { appleId: 'alice@example.com', appPassword: 'abcd-efgh-ijkl-mnop', dsid: '10000001001', regularPassword: 'not-an-app-password' };
export const BOB = { appleId: 'bob@example.com', appPassword: 'bbbb-cccc-dddd-eeee', dsid: '10000001002' };
export const CAROL = { appleId: 'carol@example.com', password: 'carol-password', dsid: '10000001003' };

export function startDemo(options: MockICloudOptions = {}): Promise<RunningMockICloud> {
  return startMockICloud({ world: DEMO_WORLD, clock: FIXED_NOW, ...options });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export const aliceAuth = basic(ALICE.appleId, ALICE.appPassword);
export const bobAuth = basic(BOB.appleId, BOB.appPassword);

export function gateway(mock: RunningMockICloud) {
  return request(mock.gatewayUrl.replace(/\/$/, ''));
}

export function partition(mock: RunningMockICloud) {
  return request(mock.partitionUrl.replace(/\/$/, ''));
}

/** Alice PUTs an iCalendar body on the partition. */
export function alicePut(mock: RunningMockICloud, path: string, body: string) {
  return partition(mock).put(path).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar; charset=utf-8').send(body);
}

/** Alice sends a REPORT on the partition (Depth 1 unless told). */
export function aliceReport(mock: RunningMockICloud, path: string, body: string, depth = '1') {
  return partition(mock).report(path).set('Authorization', aliceAuth).set('Depth', depth).set('Content-Type', 'text/xml').send(body);
}

export const PROPFIND_PRINCIPAL = `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>`;

/** A minimal VEVENT in iCloud's accepted shape (DTEND present). */
export function vevent(uid: string, start = '20261201T100000Z', end = '20261201T110000Z', extra = ''): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//mock-icloud tests//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261121T090000Z',
    `DTSTART:${start}`,
    `DTEND:${end}`,
    'SUMMARY:Test event',
    ...(extra ? [extra] : []),
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** Pulls `<tag>` texts out of XML regardless of prefix (for assertions only). */
export function texts(xml: string, local: string): string[] {
  return [...xml.matchAll(new RegExp(`<(?:[A-Za-z0-9_-]+:)?${local}\\b[^>]*>([\\s\\S]*?)</(?:[A-Za-z0-9_-]+:)?${local}>`, 'g'))].map((m) => m[1]);
}

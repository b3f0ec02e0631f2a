/**
 * newEventsAmong decides which downloaded objects the bulk import may write: only events whose UID
 * the connection does not know, whether the knowing is in the database, in what this run has
 * imported, or in what it has gathered from earlier pages and not written yet.
 */
import { expect, it } from 'vitest';
import { utcDateTime } from '../../icalendar/index.js';
import type { RemoteCalendar } from '../state/sync-state.js';
import { BatchImporter, newEventsAmong, type NewObject } from './bulk-import.js';
import type { RunContext } from './context.js';

const NOW = Date.parse('2026-11-21T09:00:00Z');
const ics = (uid: string) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x', 'BEGIN:VEVENT', `UID:${uid}`, `DTSTART:${utcDateTime(NOW)}`, `DTEND:${utcDateTime(NOW + 3_600_000)}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
const object = (uid: string) => ({ href: `http://127.0.0.1/cal/${uid}.ics`, etag: '"1"', data: ics(uid) });
const calendar = { url: 'http://127.0.0.1/cal/', isConflict: true } as RemoteCalendar;

function context(dbKnown: string[], importedUids?: string[]): { ctx: RunContext; asked: string[][] } {
  const asked: string[][] = [];
  const ctx = {
    connection: { id: 'icl_1' },
    user: { timeZone: 'Europe/London' },
    window: { start: NOW - 30 * 86_400_000, end: NOW + 365 * 86_400_000 },
    state: {
      knownUids: async (_connectionId: string, uids: string[]) => {
        asked.push(uids);
        return new Set(uids.filter((u) => dbKnown.includes(u)));
      },
    },
    ...(importedUids ? { importedUids: new Set(importedUids) } : {}),
  } as unknown as RunContext;
  return { ctx, asked };
}

it('leaves to the per-object path what the database, the run or a gathered batch already knows', async () => {
  const objects = ['A', 'B', 'C', 'D'].map(object);
  const pending = new Set(['C']);
  // The database knows A; C waits in the batch gathered from an earlier page.
  const fromDb = context(['A']);
  expect([...(await newEventsAmong(fromDb.ctx, calendar, objects, new Map(), pending)).keys()]).toEqual([object('B').href, object('D').href]);
  expect(fromDb.asked).toEqual([['A', 'B', 'C', 'D']]);
  // A first sync: what the run imported is what is known, and the database is not asked.
  const firstSync = context(['B'], ['D']);
  expect([...(await newEventsAmong(firstSync.ctx, calendar, objects, new Map(), pending)).keys()]).toEqual([object('A').href, object('B').href]);
  expect(firstSync.asked).toEqual([]);
  // A UID listed twice in the page is one event in two objects: neither is imported in bulk.
  const twice = context([]);
  expect([...(await newEventsAmong(twice.ctx, calendar, [object('E'), { ...object('E'), href: 'http://127.0.0.1/cal/E-copy.ics' }], new Map())).keys()]).toEqual([]);
});

it('BatchImporter: writes full batches two at most at a time, each after the one before it, without the reader waiting, and the rest when settled', async () => {
  const events: string[] = [];
  const finishWrite = new Map<string, () => void>();
  let open = 0;
  let mostAtOnce = 0;
  // As importNewEvents: some work of its own, then the batch before it, then the rest.
  const importer = new BatchImporter(async (batch, before) => {
    const name = batch.map((p) => p.uid).join('');
    open++;
    mostAtOnce = Math.max(mostAtOnce, open);
    events.push(`start ${name}`);
    await new Promise<void>((resolve) => finishWrite.set(name, resolve));
    await before;
    events.push(`written ${name}`);
    open--;
  }, 2);
  const add = (uid: string) => importer.add({ uid } as NewObject);
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  add('a');
  add('b'); // a full batch: its write starts, and add() does not wait for it
  add('c');
  add('d'); // the next one starts too, while the one before is still open
  add('e');
  add('f'); // a third waits until the first is written
  expect([...importer.gathered]).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  await tick();
  expect(events).toEqual(['start ab', 'start cd']);
  finishWrite.get('cd')!(); // done with its own work first: still written after ab
  await tick();
  expect(events).toEqual(['start ab', 'start cd']);
  finishWrite.get('ab')!();
  await tick();
  expect(events.slice(0, 3)).toEqual(['start ab', 'start cd', 'written ab']);
  expect(events.slice(3).sort()).toEqual(['start ef', 'written cd']); // ef waited for ab only
  add('g');
  const settled = importer.settled();
  await tick();
  expect(events.at(-1)).toBe('start g'); // ab is written: g may start while ef is open
  finishWrite.get('g')!();
  finishWrite.get('ef')!();
  await settled;
  expect(events.filter((e) => e.startsWith('written'))).toEqual(['written ab', 'written cd', 'written ef', 'written g']);
  expect(mostAtOnce).toBe(2);
});

it('BatchImporter: a failed batch fails the ones after it, and settled() answers with its failure', async () => {
  const written: string[][] = [];
  const importer = new BatchImporter(async (batch, before) => {
    if (batch[0]!.uid === 'a') throw new Error('refused');
    await before;
    written.push(batch.map((p) => p.uid));
  }, 1);
  importer.add({ uid: 'a' } as NewObject);
  importer.add({ uid: 'b' } as NewObject);
  importer.add({ uid: 'c' } as NewObject);
  await expect(importer.settled()).rejects.toThrow('refused');
  expect(written).toEqual([]);
});

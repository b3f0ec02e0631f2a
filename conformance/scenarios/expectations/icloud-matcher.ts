/**
 * The iCloud event matcher `icloud` and `notInICloud` share: an event of one account's calendar,
 * by UID (or the platform event whose copy it is), SUMMARY, and text it must or must not contain.
 */
import { z } from 'zod';
import { icloudEventRef } from '../args/icloud-event-ref.js';
import { appleId, oneOrMany, whole } from '../args/vocabulary.js';
import { unfoldedLines } from '../icalendar-text/vevents.js';
import { icloudUid } from '../lookups.js';
import type { ScenarioRun } from '../run-state.js';
import { nearest } from './nearest.js';

export const icloudMatcher = z
  .strictObject({
    account: appleId,
    calendar: z.string().describe('collection name, e.g. work'),
    ...icloudEventRef,
    summary: z.string().optional().describe('the SUMMARY of one of its VEVENTs, exactly'),
    contains: oneOrMany(z.string()).optional().describe('text the unfolded event must contain'),
    notContains: oneOrMany(z.string()).optional().describe('text it must not contain'),
    count: whole(0, 'how many events must match (default 1)').optional(),
  })
  .refine((m) => m.uid === undefined || m.event === undefined, 'name the event with uid or event, not both');

export type ICloudMatcher = z.output<typeof icloudMatcher>;

export async function icloudMatches(run: ScenarioRun, m: ICloudMatcher) {
  const events = run.mock.control.listEvents(m.account, m.calendar);
  const uid = m.uid !== undefined || m.event !== undefined ? await icloudUid(run, m) : undefined;
  const lines = (data: string) => unfoldedLines(data);
  const text = (data: string) => lines(data).join('\r\n');
  const missing = (data: string) => (m.contains ?? []).filter((s) => !text(data).includes(s));
  const unwanted = (data: string) => (m.notContains ?? []).filter((s) => text(data).includes(s));
  const checks = (data: string, eventUid: string) => [
    uid === undefined || eventUid === uid,
    m.summary === undefined || lines(data).includes(`SUMMARY:${m.summary}`),
    missing(data).length === 0,
    unwanted(data).length === 0,
  ];
  const matches = events.filter((e) => checks(e.data, e.uid).every(Boolean));
  // For a failure: the closest events, and what their text lacks or has that it should not.
  const closest = nearest(events, (e) => checks(e.data, e.uid).filter(Boolean).length + (e.uid === uid ? 2 : 0)).map((e) => {
    const summary = lines(e.data)
      .find((l) => l.startsWith('SUMMARY:'))
      ?.slice(8);
    const lacks = missing(e.data);
    const has = unwanted(e.data);
    return { name: e.name, uid: e.uid, summary, ...(lacks.length ? { lacks } : {}), ...(has.length ? { has } : {}) };
  });
  return { matches, closest, total: events.length };
}

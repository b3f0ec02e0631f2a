/**
 * What iCloud's ancestor does to objects on PUT, as quirks off by default (review rows 28–30).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Quirks, RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, partition, startDemo } from './helpers.js';

let mock: RunningMockICloud;
afterEach(() => mock?.close());

const home = `/${ALICE.dsid}/calendars/home/`;
const STANDUP = readFileSync(new URL('../../fixtures/ics/alice/weekly-standup.ics', import.meta.url), 'utf8').replace(/\r?\n/g, '\r\n');
const DOUBLE_ALARM = STANDUP.replace('UID:6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41', 'UID:DOUBLE-1')
  .replace(/UID:6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41/g, 'UID:DOUBLE-1')
  .replace('END:VALARM\r\nEND:VEVENT', 'END:VALARM\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT10M\r\nUID:OTHER-ALARM-UID\r\nEND:VALARM\r\nEND:VEVENT')
  .replace(
    'SEQUENCE:2\r\nSUMMARY:Team stand-up\r\n',
    'SEQUENCE:2\r\nSUMMARY:Team stand-up\r\nORGANIZER:MAILTO:Alice@Example.com\r\nATTENDEE;SCHEDULE-AGENT=CLIENT:MAILTO:BOB@example.COM\r\nATTENDEE;SCHEDULE-AGENT=CLIENT:MAILTO:Carla@Client.test\r\n',
  );

async function putAndRead(quirks: Partial<Quirks>): Promise<string> {
  mock = await startDemo({ quirks });
  const res = await partition(mock).put(`${home}double.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(DOUBLE_ALARM);
  expect(res.status).toBe(201);
  return (await partition(mock).get(`${home}double.ics`).set('Authorization', aliceAuth)).text;
}

describe('PUT rewrites iCloud may do (quirks, off by default)', () => {
  it('[F55] [F56] [F57] with every quirk off the object is stored as sent', async () => {
    expect(await putAndRead({})).toBe(DOUBLE_ALARM);
  });

  it('[F55] stripStandardTimezones drops the VTIMEZONE of a known zone, and times still resolve', async () => {
    const got = await putAndRead({ stripStandardTimezones: 'on' });
    expect(got).not.toContain('BEGIN:VTIMEZONE');
    expect(got).toContain('DTSTART;TZID=Europe/London:20261005T090000');
    const custom = DOUBLE_ALARM.replace(/Europe\/London/g, 'My Office Zone')
      .replace('UID:DOUBLE-1', 'UID:CUSTOM-1')
      .replace(/UID:DOUBLE-1/g, 'UID:CUSTOM-1');
    await partition(mock).put(`${home}custom.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(custom);
    expect((await partition(mock).get(`${home}custom.ics`).set('Authorization', aliceAuth)).text).toContain('TZID:My Office Zone');
  });

  it('[F56] removeDuplicateAlarms keeps one of two identical alarms', async () => {
    const got = await putAndRead({ removeDuplicateAlarms: 'on' });
    expect(got.match(/BEGIN:VALARM/g)).toHaveLength(1);
  });

  it("[F57] normaliseAttendees lower-cases mailto: and rewrites an account's address to its Apple ID", async () => {
    const got = await putAndRead({ normaliseAttendees: 'on' });
    expect(got).toContain('mailto:bob@example.com');
    expect(got).toContain('mailto:alice@example.com');
    expect(got).toContain('mailto:Carla@Client.test');
    expect(got).not.toContain('MAILTO:');
  });
});

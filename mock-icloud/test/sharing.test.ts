/**
 * Read-only shared calendars and subscribed calendars (dossier §1, §3; RULES.md C4, C5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, BOB, aliceAuth, partition, startDemo, texts, vevent } from './helpers.js';

let mock: RunningMockICloud;
let shared: string;
let subscribed: string;
beforeAll(async () => {
  mock = await startDemo();
  const calendars = mock.control.listCalendars(ALICE.appleId);
  shared = calendars.find((c) => c.kind === 'shared')!.href;
  subscribed = calendars.find((c) => c.kind === 'subscribed')!.href;
});
afterAll(() => mock.close());

const props = '<propfind xmlns="DAV:" xmlns:CS="http://calendarserver.org/ns/"><prop><resourcetype/><current-user-privilege-set/><displayname/><CS:source/></prop></propfind>';

describe('a calendar shared read-only by bob', () => {
  it('has a 64-hex name and a read-only privilege set', async () => {
    expect(shared).toMatch(new RegExp(`^/${ALICE.dsid}/calendars/[0-9a-f]{64}/$`));
    const res = await partition(mock).propfind(shared).set('Authorization', aliceAuth).set('Depth', '0').send(props);
    expect(res.status).toBe(207);
    expect(texts(res.text, 'displayname')).toEqual(["Bob's family"]);
    expect(res.text).toContain('<read xmlns="DAV:"/>');
    expect(res.text).not.toContain('<write');
    expect(res.text).not.toContain('<bind');
    expect(res.text).toContain('<shared xmlns="http://calendarserver.org/ns/"/>');
  });

  it("shows bob's events to alice", async () => {
    const res = await partition(mock).propfind(shared).set('Authorization', aliceAuth).set('Depth', '1').send('<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>');
    expect(texts(res.text, 'href')).toContain(`${shared}B0B0B0B0-DE17-4157-9A00-000000000001.ics`);
  });

  it("refuses PUT and DELETE with 403 and leaves bob's data untouched", async () => {
    const before = mock.control.listEvents(BOB.appleId, 'family');
    const put = await partition(mock).put(`${shared}new.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(vevent('SHARED-WRITE'));
    expect(put.status).toBe(403);
    const del = await partition(mock).delete(`${shared}B0B0B0B0-DE17-4157-9A00-000000000001.ics`).set('Authorization', aliceAuth);
    expect(del.status).toBe(403);
    expect(mock.control.listEvents(BOB.appleId, 'family')).toEqual(before);
  });

  it('marks the owner side as shared-owner', async () => {
    const res = await partition(mock)
      .propfind(`/${BOB.dsid}/calendars/family/`)
      .set('Authorization', `Basic ${Buffer.from(`${BOB.appleId}:${BOB.appPassword}`).toString('base64')}`)
      .set('Depth', '0')
      .send(props);
    expect(res.text).toContain('<shared-owner xmlns="http://calendarserver.org/ns/"/>');
    expect(res.text).toContain('<write-content xmlns="DAV:"/>');
  });
});

describe('a subscribed calendar', () => {
  it('has resourcetype CS:subscribed and its feed URL in CS:source', async () => {
    const res = await partition(mock).propfind(subscribed).set('Authorization', aliceAuth).set('Depth', '0').send(props);
    expect(res.text).toContain('<subscribed xmlns="http://calendarserver.org/ns/"/>');
    expect(res.text).not.toContain('<calendar xmlns="urn:ietf:params:xml:ns:caldav"/>');
    expect(res.text).toContain('<source xmlns="http://calendarserver.org/ns/"><href xmlns="DAV:">https://calendars.icloud.com/holidays/gb_en.ics</href></source>');
  });

  it('answers REPORTs with nothing', async () => {
    const res = await partition(mock)
      .report(subscribed)
      .set('Authorization', aliceAuth)
      .set('Depth', '1')
      .send(
        '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>',
      );
    expect(res.status).toBe(207);
    expect(res.text).not.toContain('<response');
  });

  it('refuses writes with 403', async () => {
    const res = await partition(mock).put(`${subscribed}x.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(vevent('SUB-WRITE'));
    expect(res.status).toBe(403);
  });
});

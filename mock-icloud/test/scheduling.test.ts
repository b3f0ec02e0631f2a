/**
 * iCloud's implicit scheduling on the wire (review row 31): an organizer's PUT/DELETE with
 * ATTENDEEs makes the server send iTIP, recorded in the invitation sink.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, BOB, gateway, partition, startDemo } from './helpers.js';

let mock: RunningMockICloud;
beforeEach(async () => {
  mock = await startDemo();
});
afterEach(() => mock.close());

const work = `/${ALICE.dsid}/calendars/work/`;
const meeting = (attendees: string[], extra: string[] = [], organizer = 'ORGANIZER;CN=Alice Appleseed:mailto:alice@example.com') =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//mock-icloud tests//EN',
    'BEGIN:VEVENT',
    'UID:MEETING-1',
    'DTSTAMP:20261121T090000Z',
    'DTSTART:20261203T100000Z',
    'DTEND:20261203T110000Z',
    'SUMMARY:Planning',
    organizer,
    ...attendees,
    ...extra,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
const put = (body: string, name = 'meeting.ics') => partition(mock).put(`${work}${name}`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(body);
const ATTENDEES = [
  'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com',
  'ATTENDEE;CN=Carla;PARTSTAT=NEEDS-ACTION:mailto:Carla@Client.test',
  'ATTENDEE;SCHEDULE-AGENT=CLIENT:mailto:dan@client.test',
  'ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com',
];
const sent = () => mock.control.invitations().map((i) => `${i.method} ${i.to} ${i.delivery}`);

describe('implicit scheduling', () => {
  it('[F59] a create sends one REQUEST per attendee: iCloud accounts get the event in their calendar, others an e-mail; none for SCHEDULE-AGENT=CLIENT or the organizer', async () => {
    expect((await put(meeting(ATTENDEES))).status).toBe(201);
    expect(sent()).toEqual(['REQUEST bob@example.com calendar', 'REQUEST carla@client.test email']);
    const [toBob] = mock.control.invitations({ to: 'mailto:BOB@example.com' });
    expect(toBob).toMatchObject({ from: 'alice@example.com', uid: 'MEETING-1', summary: 'Planning', href: `${work}meeting.ics` });
    expect(toBob.ics).toContain('METHOD:REQUEST');
    expect(mock.control.listEvents(BOB.appleId, 'home').map((e) => e.uid)).toContain('MEETING-1');
    // The same list through the control plane.
    const listed = await gateway(mock).get('/__mock/invitations?method=REQUEST&to=carla@client.test');
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
  });

  it('[F59] a change sends REQUESTs again and CANCELs removed attendees; a re-stamp alone sends nothing', async () => {
    await put(meeting(ATTENDEES));
    mock.control.clearInvitations();
    await put(meeting(ATTENDEES).replace('DTSTAMP:20261121T090000Z', 'DTSTAMP:20261121T100000Z'));
    expect(sent()).toEqual([]);
    await put(
      meeting(
        ATTENDEES.filter((a) => !a.includes('Carla@')),
        ['LOCATION:Room 2'],
      ),
    );
    expect(sent()).toEqual(['REQUEST bob@example.com calendar', 'CANCEL carla@client.test email']);
  });

  it("[F59] a DELETE sends a CANCEL to every attendee and removes an iCloud attendee's copy", async () => {
    await put(meeting(ATTENDEES));
    mock.control.clearInvitations();
    const res = await partition(mock).delete(`${work}meeting.ics`).set('Authorization', aliceAuth);
    expect(res.status).toBe(204);
    expect(sent()).toEqual(['CANCEL bob@example.com calendar', 'CANCEL carla@client.test email']);
    expect(mock.control.invitations({ method: 'CANCEL' })[0].ics).toContain('STATUS:CANCELLED');
    expect(mock.control.listEvents(BOB.appleId, 'home').map((e) => e.uid)).not.toContain('MEETING-1');
  });

  it('[F59] sends nothing without an ORGANIZER, for another organizer, with SCHEDULE-AGENT=CLIENT on the ORGANIZER, or with the quirk off', async () => {
    await put(meeting(ATTENDEES, [], 'X-NO-ORGANIZER:1'), 'a.ics');
    await put(meeting(ATTENDEES, [], 'ORGANIZER:mailto:someone@else.test').replace('MEETING-1', 'MEETING-2'), 'b.ics');
    await put(meeting(ATTENDEES, [], 'ORGANIZER;SCHEDULE-AGENT=CLIENT:mailto:alice@example.com').replace('MEETING-1', 'MEETING-3'), 'c.ics');
    expect(sent()).toEqual([]);
    const quiet = await startDemo({ quirks: { implicitScheduling: 'off' } });
    try {
      await partition(quiet).put(`${work}m.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(meeting(ATTENDEES));
      expect(quiet.control.invitations()).toEqual([]);
      expect(String((await partition(quiet).options(work).set('Authorization', aliceAuth)).headers.dav)).not.toContain('calendar-auto-schedule');
    } finally {
      await quiet.close();
    }
    expect(String((await partition(mock).options(work).set('Authorization', aliceAuth)).headers.dav)).toContain('calendar-auto-schedule');
  });

  it('[F59] reset clears the sink', async () => {
    await put(meeting(ATTENDEES));
    mock.control.reset();
    expect(mock.control.invitations()).toEqual([]);
  });
});

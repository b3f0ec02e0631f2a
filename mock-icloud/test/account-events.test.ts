/**
 * Whole-account events as control-plane actions (review feature 9): a partition move and the
 * Reminders upgrade.
 */
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, gateway, partition, startDemo, texts } from './helpers.js';

let mock: RunningMockICloud;
beforeEach(async () => {
  mock = await startDemo();
});
afterEach(() => mock.close());

const HOME_SET = '<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-home-set/></d:prop></d:propfind>';
const homeSet = async () => texts((await gateway(mock).propfind(`/${ALICE.dsid}/principal/`).set('Authorization', aliceAuth).set('Depth', '0').send(HOME_SET)).text, 'href')[1];

describe('account moved to another partition', () => {
  it('[F8] changes the home-set host and the partition header; the old host answers 301 to the new one', async () => {
    const before = await homeSet();
    expect(before).toBe(`${mock.partitionUrl}${ALICE.dsid}/calendars/`);
    const moved = await gateway(mock).post(`/__mock/accounts/${ALICE.appleId}/move`).set('Content-Type', 'application/json').send({ partition: 71 });
    expect(moved.status).toBe(201);
    expect(moved.body).toMatchObject({ partition: 71 });
    const after = await homeSet();
    expect(after).not.toBe(before);
    expect(after).toMatch(new RegExp(`/${ALICE.dsid}/calendars/$`));
    const home = `/${ALICE.dsid}/calendars/home/`;
    const old = await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').send('<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>');
    expect(old.status).toBe(301);
    expect(old.headers.location).toBe(`${new URL(after).origin}${home}`);
    const fresh = await request(new URL(after).origin).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').send('<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>');
    expect(fresh.status).toBe(207);
    expect(fresh.headers['x-apple-user-partition']).toBe('71');
    // Moving again brings the account back to the first host.
    mock.control.moveAccount(ALICE.appleId, { partition: 44 });
    expect(await homeSet()).toBe(before);
  });
});

describe('account upgraded to the new Reminders', () => {
  it('[F79] its VTODO lists leave CalDAV and no new one can be made', async () => {
    const res = await gateway(mock).post(`/__mock/accounts/${ALICE.appleId}/upgrade-reminders`).set('Content-Type', 'application/json').send({});
    expect(res.body).toEqual({ removed: ['tasks'] });
    const listing = await partition(mock)
      .propfind(`/${ALICE.dsid}/calendars/`)
      .set('Authorization', aliceAuth)
      .set('Depth', '1')
      .send('<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>');
    expect(texts(listing.text, 'href')).not.toContain(`/${ALICE.dsid}/calendars/tasks/`);
    expect((await partition(mock).propfind(`/${ALICE.dsid}/calendars/tasks/`).set('Authorization', aliceAuth).set('Depth', '0').send('')).status).toBe(404);
    const make = await partition(mock)
      .mkcalendar(`/${ALICE.dsid}/calendars/todo2/`)
      .set('Authorization', aliceAuth)
      .send(
        '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>',
      );
    expect(make.status).toBe(403);
    expect(make.text).toContain('supported-calendar-component');
  });
});

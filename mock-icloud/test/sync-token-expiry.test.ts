/**
 * Sync tokens expire by age on the mock's clock, and the change log stays small behind the oldest
 * valid token (issue 11; review row 17).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MockICloudOptions, RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, FIXED_NOW, partition, startDemo, texts, vevent } from './helpers.js';

let mock: RunningMockICloud;
afterEach(() => mock?.close());

const DAY = 86_400_000;
const home = `/${ALICE.dsid}/calendars/home/`;
const sync = (token: string) =>
  partition(mock)
    .report(home)
    .set('Authorization', aliceAuth)
    .set('Depth', '0')
    .send(`<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`);
const tokenOf = (xml: string) => texts(xml, 'sync-token').at(-1)!;

async function tokenThenChange(options: MockICloudOptions = {}) {
  mock = await startDemo(options);
  const token = tokenOf((await sync('')).text);
  mock.control.putEvent(ALICE.appleId, 'home', { ics: vevent('LATER-1') });
  return token;
}

describe('sync-token expiry by age (CalendarServer RevisionCleanup.SyncTokenLifetimeDays: 14)', () => {
  it('[F44] a token is good while the change after it is under 14 days old, then a bare 403', async () => {
    const token = await tokenThenChange();
    mock.control.setClock(FIXED_NOW + 13 * DAY);
    expect((await sync(token)).status).toBe(207);
    mock.control.setClock(FIXED_NOW + 14 * DAY + 1000);
    const expired = await sync(token);
    expect(expired.status).toBe(403);
    expect(expired.text).toBe('');
    // The current token does not expire: nothing changed after it.
    const current = tokenOf((await sync('')).text);
    mock.control.setClock(FIXED_NOW + 400 * DAY);
    expect((await sync(current)).status).toBe(207);
  });

  it('[F44] with expiredSyncToken: full-listing, an expired token gets every member and a new token, deletions unsaid', async () => {
    const token = await tokenThenChange({ quirks: { expiredSyncToken: 'full-listing' } });
    mock.control.setClock(FIXED_NOW + 20 * DAY);
    const res = await sync(token);
    expect(res.status).toBe(207);
    const hrefs = texts(res.text, 'href');
    expect(hrefs).toContain(`${home}LATER-1.ics`);
    expect(hrefs.length).toBe(1 + mock.control.listEvents(ALICE.appleId, 'home').length);
    expect(tokenOf(res.text)).not.toBe(token);
  });

  it('[F44] never expires with syncTokenLifetimeDays: 0', async () => {
    const token = await tokenThenChange({ syncTokenLifetimeDays: 0 });
    mock.control.setClock(FIXED_NOW + 1000 * DAY);
    expect((await sync(token)).status).toBe(207);
  });
});

describe('change-log compaction (work and bytes, not time)', () => {
  it("[F45] create/delete cycles nobody saw leave an old token's answer and an empty calendar's initial sync as small as before", async () => {
    mock = await startDemo();
    mock.control.createCalendar(ALICE.appleId, { name: 'churn', displayName: 'Churn' });
    const churn = `/${ALICE.dsid}/calendars/churn/`;
    const syncChurn = (token: string) =>
      partition(mock)
        .report(churn)
        .set('Authorization', aliceAuth)
        .set('Depth', '0')
        .send(`<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`);
    const first = await syncChurn('');
    const old = tokenOf(first.text);
    for (let i = 0; i < 2000; i++) {
      mock.control.putEvent(ALICE.appleId, 'churn', { name: `c${i}.ics`, ics: vevent(`C-${i}`) });
      mock.control.deleteEvent(ALICE.appleId, 'churn', `c${i}.ics`);
    }
    const fromOld = await syncChurn(old);
    expect(fromOld.status).toBe(207);
    expect(texts(fromOld.text, 'response')).toHaveLength(1); // the collection itself only
    expect(fromOld.text.length).toBeLessThan(first.text.length + 64);
    const initial = await syncChurn('');
    expect(texts(initial.text, 'response')).toHaveLength(1);
    const { stored, tombstones } = mock.control.changeLogStats(ALICE.appleId, 'churn');
    expect(tombstones).toBe(0);
    expect(stored).toBeLessThanOrEqual(32);
  });
});

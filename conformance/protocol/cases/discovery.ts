/**
 * Discovery: /.well-known/caldav (RFC 6764), current-user-principal (RFC 5397), calendar-home-set
 * (RFC 4791 §6.2.1), the home listing, and OPTIONS (RFC 4791 §5.1); iCloud's shapes (dossier §1).
 */
import { defineCases, ICLOUD_ONLY } from '../case.js';
import { propfindBody, XML_HEADERS } from '../context.js';
import { check, describe, expectStatus } from '../http.js';
import { CALDAV, childOf, childrenOf, CS, DAV, okProp, parseMultistatus, responseFor, pathOf, snippet } from '../xml.js';
import { isSelf, nameOf } from './common.js';

export const discoveryCases = defineCases('discovery', [
  {
    id: 'discovery.well-known',
    title: 'RFC 6764 §5: /.well-known/caldav redirects to (or itself answers) the context path with current-user-principal',
    async run(ctx) {
      let url = new URL('/.well-known/caldav', ctx.address.url).href;
      const hops: string[] = [];
      for (let hop = 0; hop <= 5; hop++) {
        const res = await ctx.request('PROPFIND', url, { headers: { Depth: '0', ...XML_HEADERS }, body: propfindBody(['D:current-user-principal']) });
        hops.push(`${res.status} ${url}`);
        if ([301, 302, 303, 307, 308].includes(res.status)) {
          const location = res.headers.get('location');
          check(location, `${describe(res)}: a redirect without Location`);
          url = new URL(location, url).href;
          continue;
        }
        expectStatus(res, 207, `PROPFIND after following /.well-known/caldav (${hops.join(' → ')})`);
        const ms = parseMultistatus(res.text, url, 'PROPFIND current-user-principal');
        const href = childOf(okProp(ms.responses[0], DAV, 'current-user-principal'), DAV, 'href')?.text.trim();
        check(href, `${describe(res)}: no current-user-principal href after ${hops.join(' → ')}`);
        return;
      }
      throw new Error(`more than 5 redirects: ${hops.join(' → ')}`);
    },
  },
  {
    id: 'discovery.current-user-principal',
    title: "RFC 5397 §3: PROPFIND Depth 0 on the service URL names the current user's principal, a DAV:principal (RFC 3744 §4)",
    async run(ctx) {
      const { ms } = await ctx.propfind(ctx.address.url, '0', ['D:current-user-principal']);
      const href = childOf(okProp(ms.responses[0], DAV, 'current-user-principal'), DAV, 'href')?.text.trim();
      check(href, `PROPFIND ${ctx.address.url}: no current-user-principal href in a 200 propstat`);
      const principal = new URL(href, ctx.address.url).href;
      const { ms: pms } = await ctx.propfind(principal, '0', ['D:resourcetype']);
      const type = okProp(responseFor(pms, pathOf(principal, principal)) ?? pms.responses[0], DAV, 'resourcetype');
      check(childOf(type, DAV, 'principal'), `PROPFIND ${principal}: resourcetype lacks DAV:principal`);
    },
  },
  {
    id: 'discovery.calendar-home-set',
    title: 'RFC 4791 §6.2.1: the principal has a calendar-home-set naming a collection',
    async run(ctx) {
      const { principalUrl } = await ctx.discover();
      const { ms } = await ctx.propfind(principalUrl, '0', ['C:calendar-home-set']);
      const hrefs = childrenOf(okProp(ms.responses[0], CALDAV, 'calendar-home-set'), DAV, 'href');
      check(hrefs.length >= 1, `PROPFIND ${principalUrl}: no calendar-home-set href`);
      const home = new URL(hrefs[0].text.trim(), principalUrl).href;
      const { ms: hms } = await ctx.propfind(home, '0', ['D:resourcetype']);
      check(childOf(okProp(hms.responses[0], DAV, 'resourcetype'), DAV, 'collection'), `PROPFIND ${home}: the calendar home is not a DAV:collection`);
    },
  },
  {
    id: 'discovery.home-listing',
    title: 'RFC 4918 §9.1, RFC 4791 §4.2: PROPFIND Depth 1 on the calendar home lists a calendar with its resourcetype and displayname',
    async run(ctx) {
      const { homeUrl } = await ctx.discover();
      const displayName = `Listing ${ctx.uniqueName('check')}`;
      const calendar = await ctx.scratchCalendar({ displayName });
      const { ms } = await ctx.propfind(homeUrl, '1', ['D:resourcetype', 'D:displayname']);
      check(
        ms.responses.some((r) => isSelf(r, homeUrl)),
        `PROPFIND Depth 1 ${homeUrl}: the home itself is not in the answer`,
      );
      const entry = ms.responses.find((r) => isSelf(r, calendar));
      check(entry, `PROPFIND Depth 1 ${homeUrl}: the new calendar ${nameOf(calendar)} is not listed (got ${ms.responses.map((r) => r.href).join(', ')})`);
      const type = okProp(entry, DAV, 'resourcetype');
      check(childOf(type, DAV, 'collection') && childOf(type, CALDAV, 'calendar'), `${entry.href}: resourcetype is not collection + C:calendar`);
      check(okProp(entry, DAV, 'displayname')?.text === displayName, `${entry.href}: displayname is "${okProp(entry, DAV, 'displayname')?.text}", not "${displayName}"`);
    },
  },
  {
    id: 'discovery.options-calendar-access',
    title: 'RFC 4791 §5.1: OPTIONS on a calendar collection advertises "calendar-access" in the DAV header',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const res = await ctx.request('OPTIONS', calendar);
      expectStatus(res, { range: [200, 299] }, 'OPTIONS on a calendar');
      const dav = (res.headers.get('dav') ?? '').split(',').map((s) => s.trim());
      check(dav.includes('calendar-access'), `OPTIONS ${calendar}: DAV header "${res.headers.get('dav') ?? ''}" lacks calendar-access`);
    },
  },
  {
    id: 'icloud.discovery.principal-xml',
    title: 'iCloud (dossier §1 [S]): PROPFIND / answers 207 with <current-user-principal xmlns="DAV:"><href xmlns="DAV:">/<dsid>/principal/</href>… exactly as tsdav\'s live test expects',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const root = new URL('/', ctx.address.url).href;
      const res = await ctx.request('PROPFIND', root, { headers: { Depth: '0', ...XML_HEADERS }, body: propfindBody(['D:current-user-principal']) });
      expectStatus(res, 207, 'PROPFIND /');
      const shape = /<current-user-principal xmlns="DAV:"><href xmlns="DAV:">\/[0-9]+\/principal\/<\/href><\/current-user-principal>/;
      check(shape.test(res.text), `PROPFIND ${root}: the body does not match ${shape}: ${snippet(res.text)}`);
    },
  },
  {
    id: 'icloud.discovery.home-set-absolute',
    title: 'iCloud (dossier §1 [S]): calendar-home-set is an absolute URL on the partition host with an explicit port, /<dsid>/calendars/',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const { principalUrl } = await ctx.discover();
      const { ms, res } = await ctx.propfind(principalUrl, '0', ['C:calendar-home-set']);
      const href = childOf(okProp(ms.responses[0], CALDAV, 'calendar-home-set'), DAV, 'href')?.text.trim() ?? '';
      check(
        /^https?:\/\/[^/]+:\d+\/\d+\/calendars\/$/.test(href),
        `PROPFIND ${principalUrl}: calendar-home-set href "${href}" is not an absolute https://pNN-caldav…:443/<dsid>/calendars/ URL (${describe(res)})`,
      );
    },
  },
  {
    id: 'icloud.discovery.special-collections',
    title: 'iCloud (dossier §1 [S]): the home listing also holds inbox/ (C:schedule-inbox), outbox/ (C:schedule-outbox) and notification/ (CS:notification)',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const { homeUrl } = await ctx.discover();
      const { ms } = await ctx.propfind(homeUrl, '1', ['D:resourcetype']);
      for (const [name, ns, type] of [
        ['inbox', CALDAV, 'schedule-inbox'],
        ['outbox', CALDAV, 'schedule-outbox'],
        ['notification', CS, 'notification'],
      ] as const) {
        const entry = ms.responses.find((r) => nameOf(r.path) === name);
        check(entry, `PROPFIND Depth 1 ${homeUrl}: no ${name}/ collection`);
        check(childOf(okProp(entry, DAV, 'resourcetype'), ns, type), `${entry.href}: resourcetype lacks {${ns}}${type}`);
      }
    },
  },
]);

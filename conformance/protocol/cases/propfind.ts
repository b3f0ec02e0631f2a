/**
 * PROPFIND (RFC 4918 §9.1) on calendars and objects: depth, resourcetype, the component set,
 * getetag, getctag and sync-token, unknown properties, Depth: infinity.
 */
import { defineCases } from '../case.js';
import { propfindBody, XML_HEADERS } from '../context.js';
import { check, describe, expectStatus } from '../http.js';
import { event } from '../ical.js';
import { CALDAV, childOf, childrenOf, CS, DAV, findProp, okProp, parseMultistatus, responseFor, pathOf, namesPrecondition, type DavResponse } from '../xml.js';
import { isSelf, nameOf, sameEtag, show } from './common.js';

function self(responses: DavResponse[], url: string): DavResponse | undefined {
  return responses.find((r) => isSelf(r, url));
}

export const propfindCases = defineCases('propfind', [
  {
    id: 'propfind.depth-0',
    title: 'RFC 4918 §9.1: PROPFIND Depth 0 on a calendar answers for the calendar alone',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'depth0.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const { ms } = await ctx.propfind(calendar, '0', ['D:resourcetype', 'D:displayname']);
      check(ms.responses.length === 1 && isSelf(ms.responses[0], calendar), `PROPFIND Depth 0 ${calendar}: expected one response for the calendar, got ${show(ms.responses.map((r) => r.href))}`);
    },
  },
  {
    id: 'propfind.depth-1',
    title: "RFC 4918 §9.1, RFC 4791 §4.1: PROPFIND Depth 1 on a calendar answers for the calendar and each member, with its getetag; a member's getcontenttype is text/calendar",
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const a = await ctx.createObject(calendar, 'a.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const b = await ctx.createObject(calendar, 'b.ics', event({ uid: ctx.uniqueName('uid'), start: '20270202T100000Z', end: '20270202T110000Z' }));
      const { ms } = await ctx.propfind(calendar, '1', ['D:getetag', 'D:resourcetype']);
      check(self(ms.responses, calendar), `PROPFIND Depth 1 ${calendar}: no response for the calendar itself`);
      const names = ms.responses
        .filter((r) => !isSelf(r, calendar))
        .map((r) => nameOf(r.path))
        .sort();
      check(names.join() === 'a.ics,b.ics', `PROPFIND Depth 1 ${calendar}: members ${show(names)}, expected [a.ics, b.ics]`);
      for (const created of [a, b]) {
        const r = responseFor(ms, pathOf(created.url, created.url));
        const etag = okProp(r, DAV, 'getetag')?.text;
        check(sameEtag(etag, created.etag), `${nameOf(created.url)}: getetag ${etag} differs from the PUT's ${created.etag}`);
      }
      const { ms: typed } = await ctx.propfind(a.url, '0', ['D:getcontenttype']);
      const type = okProp(typed.responses[0], DAV, 'getcontenttype')?.text.trim().toLowerCase() ?? '';
      check(type.startsWith('text/calendar'), `PROPFIND ${a.url}: getcontenttype is "${type}", not text/calendar`);
    },
  },
  {
    id: 'propfind.resourcetype',
    title: "RFC 4791 §4.2: a calendar's resourcetype is DAV:collection + C:calendar; a calendar object is not a collection",
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const object = await ctx.createObject(calendar, 'typed.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const { ms } = await ctx.propfind(calendar, '1', ['D:resourcetype']);
      const type = okProp(self(ms.responses, calendar), DAV, 'resourcetype');
      check(childOf(type, DAV, 'collection') && childOf(type, CALDAV, 'calendar'), `PROPFIND ${calendar}: resourcetype is not collection + C:calendar`);
      const objectType = findProp(responseFor(ms, pathOf(object.url, object.url)), DAV, 'resourcetype');
      check(!objectType || !childOf(objectType.el, DAV, 'collection'), `PROPFIND ${object.url}: a calendar object claims to be a collection`);
    },
  },
  {
    id: 'propfind.supported-calendar-component-set',
    title: 'RFC 4791 §5.2.3: a calendar made for VEVENT reports supported-calendar-component-set = {VEVENT}',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar({ components: ['VEVENT'] });
      const { ms } = await ctx.propfind(calendar, '0', ['C:supported-calendar-component-set']);
      const comps = childrenOf(okProp(ms.responses[0], CALDAV, 'supported-calendar-component-set'), CALDAV, 'comp').map((c) => (c.attrs.name ?? '').toUpperCase());
      check(comps.join() === 'VEVENT', `PROPFIND ${calendar}: supported-calendar-component-set is ${show(comps)}, expected [VEVENT]`);
    },
  },
  {
    id: 'propfind.getetag',
    title: "RFC 4918 §15.6: an object's getetag equals the ETag its GET returns",
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const object = await ctx.createObject(calendar, 'etag.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const propEtag = await ctx.etagOf(object.url);
      const res = await ctx.request('GET', object.url);
      expectStatus(res, 200, 'GET the object');
      check(sameEtag(res.headers.get('etag'), propEtag), `GET ${object.url}: ETag ${res.headers.get('etag')} differs from getetag ${propEtag}`);
    },
  },
  {
    id: 'propfind.getctag',
    title: 'CalendarServer ctag (caldav-ctag-02 §4.1): a calendar has CS:getctag, and it changes when a member is added',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const read = async () => okProp((await ctx.propfind(calendar, '0', ['CS:getctag'])).ms.responses[0], CS, 'getctag')?.text.trim();
      const before = await read();
      check(before, `PROPFIND ${calendar}: no CS:getctag`);
      await ctx.createObject(calendar, 'ctag.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const after = await read();
      check(after && after !== before, `PROPFIND ${calendar}: getctag did not change after a PUT (${before} → ${after})`);
    },
  },
  {
    id: 'propfind.sync-token',
    title: 'RFC 6578 §4: a calendar has the DAV:sync-token property, and it changes when a member is added',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const read = async () => okProp((await ctx.propfind(calendar, '0', ['D:sync-token'])).ms.responses[0], DAV, 'sync-token')?.text.trim();
      const before = await read();
      check(before, `PROPFIND ${calendar}: no DAV:sync-token`);
      await ctx.createObject(calendar, 'token.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const after = await read();
      check(after && after !== before, `PROPFIND ${calendar}: sync-token did not change after a PUT (${before} → ${after})`);
    },
  },
  {
    id: 'propfind.allprop',
    title: "RFC 4918 §9.1: an empty PROPFIND body means allprop: the calendar's resourcetype and the object's getetag come back",
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const object = await ctx.createObject(calendar, 'all.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const res = await ctx.request('PROPFIND', calendar, { headers: { Depth: '1' }, body: '' });
      expectStatus(res, 207, 'PROPFIND Depth 1 with an empty body');
      const ms = parseMultistatus(res.text, calendar, 'PROPFIND allprop');
      check(childOf(okProp(self(ms.responses, calendar), DAV, 'resourcetype'), CALDAV, 'calendar'), `${describe(res)}: the calendar's resourcetype (with C:calendar) is not in the allprop answer`);
      check(sameEtag(okProp(responseFor(ms, pathOf(object.url, object.url)), DAV, 'getetag')?.text, object.etag), `${describe(res)}: the object's getetag is not in the allprop answer`);
    },
  },
  {
    id: 'propfind.current-user-privilege-set',
    title: "RFC 3744 §5.4: the owner's current-user-privilege-set on a calendar includes read and write (or all)",
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const { ms } = await ctx.propfind(calendar, '0', ['D:current-user-privilege-set']);
      const granted = childrenOf(okProp(ms.responses[0], DAV, 'current-user-privilege-set'), DAV, 'privilege').flatMap((p) => p.children.map((c) => (c.ns === DAV ? c.local : `{${c.ns}}${c.local}`)));
      const has = (p: string) => granted.includes(p) || granted.includes('all');
      check(has('read') && has('write'), `PROPFIND ${calendar}: current-user-privilege-set is ${show(granted)}, expected read and write (or all)`);
    },
  },
  {
    id: 'propfind.unknown-property',
    title: 'RFC 4918 §9.1: a property the resource does not have comes back in a 404 propstat, beside the 200 ones',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar({ displayName: 'Has a name' });
      const body = propfindBody(['D:displayname']).replace('<D:displayname/>', '<D:displayname/><X:no-such-property xmlns:X="urn:x-icloud-conformance:"/>');
      const res = await ctx.request('PROPFIND', calendar, { headers: { Depth: '0', ...XML_HEADERS }, body });
      expectStatus(res, 207, 'PROPFIND with an unknown property');
      const r = parseMultistatus(res.text, calendar, 'PROPFIND').responses[0];
      const unknown = findProp(r, 'urn:x-icloud-conformance:', 'no-such-property');
      check(unknown?.status === 404, `${describe(res)}: the unknown property is ${unknown ? `in a ${unknown.status} propstat` : 'missing'}, expected a 404 propstat`);
      check(okProp(r, DAV, 'displayname')?.text === 'Has a name', `${describe(res)}: displayname not in a 200 propstat`);
    },
  },
  {
    id: 'propfind.depth-infinity',
    title: 'RFC 4918 §9.1: PROPFIND Depth: infinity either lists the whole tree or is refused with 403 DAV:propfind-finite-depth',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const object = await ctx.createObject(calendar, 'deep.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const res = await ctx.request('PROPFIND', calendar, { headers: { Depth: 'infinity', ...XML_HEADERS }, body: propfindBody(['D:resourcetype']) });
      if (res.status === 403) {
        check(namesPrecondition(res.text, DAV, 'propfind-finite-depth'), `${describe(res)}: a 403 without the DAV:propfind-finite-depth precondition element`);
        return;
      }
      expectStatus(res, 207, 'PROPFIND Depth: infinity');
      const ms = parseMultistatus(res.text, calendar, 'PROPFIND Depth: infinity');
      check(responseFor(ms, pathOf(object.url, object.url)), `${describe(res)}: the member ${nameOf(object.url)} is missing from the infinite listing`);
    },
  },
]);

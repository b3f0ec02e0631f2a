/**
 * MKCALENDAR (RFC 4791 §5.3.1) and DELETE of a calendar; iCloud's one component per calendar
 * (dossier §5). Every calendar made here has a unique name and is deleted after the case.
 */
import { defineCases, ICLOUD_ONLY, RFC_ONLY } from '../case.js';
import { mkcalendarBody, XML_HEADERS, type CaseContext } from '../context.js';
import { check, describe, expectStatus } from '../http.js';
import { event, vtodo } from '../ical.js';
import { CALDAV, childOf, childrenOf, DAV, okProp } from '../xml.js';
import { show } from './common.js';

async function components(ctx: CaseContext, calendar: string): Promise<string[]> {
  const { ms } = await ctx.propfind(calendar, '0', ['C:supported-calendar-component-set']);
  return childrenOf(okProp(ms.responses[0], CALDAV, 'supported-calendar-component-set'), CALDAV, 'comp')
    .map((c) => (c.attrs.name ?? '').toUpperCase())
    .sort();
}

export const mkcalendarCases = defineCases('mkcalendar', [
  {
    id: 'mkcalendar.create-and-delete',
    title: 'RFC 4791 §5.3.1, RFC 4918 §9.6: MKCALENDAR → 201 with the requested displayname; DELETE removes it (then 404)',
    async run(ctx) {
      const url = await ctx.freshCalendarUrl();
      const displayName = `Made ${ctx.uniqueName('by')}`;
      const made = await ctx.request('MKCALENDAR', url, { headers: XML_HEADERS, body: mkcalendarBody({ displayName, components: ['VEVENT'] }) });
      expectStatus(made, 201, 'MKCALENDAR');
      const { ms } = await ctx.propfind(url, '0', ['D:displayname', 'D:resourcetype']);
      check(okProp(ms.responses[0], DAV, 'displayname')?.text === displayName, `PROPFIND ${url}: displayname is not "${displayName}"`);
      check(childOf(okProp(ms.responses[0], DAV, 'resourcetype'), CALDAV, 'calendar'), `PROPFIND ${url}: not a C:calendar`);
      const gone = await ctx.request('DELETE', url);
      expectStatus(gone, [200, 204], 'DELETE of the calendar');
      const after = await ctx.request('PROPFIND', url, { headers: { Depth: '0', ...XML_HEADERS }, body: '' });
      expectStatus(after, 404, 'PROPFIND of the deleted calendar');
    },
  },
  {
    id: 'mkcalendar.existing',
    title: 'RFC 4791 §5.3.1.2 (DAV:resource-must-be-null): MKCALENDAR on an existing calendar fails and leaves it and its data alone',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const object = await ctx.createObject(calendar, 'keep.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const again = await ctx.request('MKCALENDAR', calendar, { headers: XML_HEADERS, body: mkcalendarBody({ displayName: 'Again', components: ['VEVENT'] }) });
      expectStatus(again, [403, 405, 409], 'MKCALENDAR on an existing calendar');
      const get = await ctx.request('GET', object.url);
      expectStatus(get, 200, 'GET of a member after the refused MKCALENDAR');
    },
  },
  {
    id: 'mkcalendar.missing-parent',
    title: 'RFC 4791 §5.3.1, RFC 4918 §9.3.1: MKCALENDAR below a collection that does not exist → 409 Conflict',
    async run(ctx) {
      const missing = await ctx.freshCalendarUrl();
      const res = await ctx.request('MKCALENDAR', `${missing}nested/`, { headers: XML_HEADERS, body: mkcalendarBody({ displayName: 'Nested', components: ['VEVENT'] }) });
      expectStatus(res, 409, 'MKCALENDAR with a missing intermediate collection');
    },
  },
  {
    id: 'mkcalendar.two-components',
    title: 'RFC 4791 §5.2.3: MKCALENDAR may ask for VEVENT and VTODO; the calendar then supports both',
    profiles: RFC_ONLY,
    async run(ctx) {
      const calendar = await ctx.scratchCalendar({ components: ['VEVENT', 'VTODO'] });
      const comps = await components(ctx, calendar);
      check(comps.join() === 'VEVENT,VTODO', `PROPFIND ${calendar}: supported-calendar-component-set is ${show(comps)}, expected [VEVENT, VTODO]`);
    },
  },
  {
    id: 'icloud.mkcalendar.two-components',
    title: 'iCloud (dossier §5 [S]): MKCALENDAR with VEVENT and VTODO → 400 "…only one calendar component type supported", nothing created',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const url = await ctx.freshCalendarUrl();
      const res = await ctx.request('MKCALENDAR', url, { headers: XML_HEADERS, body: mkcalendarBody({ displayName: 'Two kinds', components: ['VEVENT', 'VTODO'] }) });
      expectStatus(res, 400, 'MKCALENDAR with two components');
      check(res.text.includes('only one calendar component type supported'), `${describe(res)}: the body lacks iCloud's "only one calendar component type supported"`);
      const after = await ctx.request('PROPFIND', url, { headers: { Depth: '0', ...XML_HEADERS }, body: '' });
      expectStatus(after, 404, 'PROPFIND where the refused calendar would be');
    },
  },
  {
    id: 'icloud.mkcalendar.default-component',
    title: 'iCloud (dossier §5 [S]): MKCALENDAR without a component set makes a calendar for exactly one component, VEVENT',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const calendar = await ctx.scratchCalendar({ components: null });
      const comps = await components(ctx, calendar);
      check(comps.join() === 'VEVENT', `PROPFIND ${calendar}: supported-calendar-component-set is ${show(comps)}, expected [VEVENT]`);
      const put = await ctx.put(`${calendar}todo.ics`, vtodo(ctx.uniqueName('uid')));
      check(put.status >= 400 && put.status < 500, `${describe(put)}: a VTODO in a VEVENT calendar should be refused with a 4xx`);
    },
  },
]);

/**
 * PROPPATCH (RFC 4918 §9.2) of a calendar's displayname, as clients rename calendars.
 */
import { defineCases } from '../case.js';
import { XML_HEADERS } from '../context.js';
import { check, describe, expectStatus } from '../http.js';
import { DAV, findProp, okProp, parseMultistatus, xmlEscape } from '../xml.js';

export const proppatchCases = defineCases('proppatch', [
  {
    id: 'proppatch.displayname',
    title: 'RFC 4918 §9.2: PROPPATCH of displayname → 207 with a 200 propstat for it, and PROPFIND then shows the new name',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar({ displayName: 'Before' });
      const name = `Renamed ${ctx.uniqueName('to')}`;
      const body = `<?xml version="1.0" encoding="utf-8"?>\n<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>${xmlEscape(name)}</D:displayname></D:prop></D:set></D:propertyupdate>`;
      const res = await ctx.request('PROPPATCH', calendar, { headers: XML_HEADERS, body });
      expectStatus(res, 207, 'PROPPATCH displayname');
      const set = findProp(parseMultistatus(res.text, calendar, 'PROPPATCH').responses[0], DAV, 'displayname');
      check(set?.status === 200, `${describe(res)}: displayname is ${set ? `in a ${set.status} propstat` : 'missing'}, expected 200`);
      const { ms } = await ctx.propfind(calendar, '0', ['D:displayname']);
      check(okProp(ms.responses[0], DAV, 'displayname')?.text === name, `PROPFIND ${calendar}: displayname is "${okProp(ms.responses[0], DAV, 'displayname')?.text}", not "${name}"`);
    },
  },
]);

/**
 * Malformed requests (RFC 4918 §8.2: a body that is not well-formed XML → 400).
 */
import { defineCases } from '../case.js';
import { XML_HEADERS } from '../context.js';
import { expectStatus } from '../http.js';

const BROKEN_PROPFIND = '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop><D:getetag></D:propfind>';
const BROKEN_REPORT =
  '<?xml version="1.0" encoding="utf-8"?>\n<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR">';

export const errorCases = defineCases('errors', [
  {
    id: 'errors.malformed-propfind',
    title: 'RFC 4918 §8.2: PROPFIND whose body is not well-formed XML → 400',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const res = await ctx.request('PROPFIND', calendar, { headers: { Depth: '0', ...XML_HEADERS }, body: BROKEN_PROPFIND });
      expectStatus(res, 400, 'PROPFIND with malformed XML');
    },
  },
  {
    id: 'errors.malformed-report',
    title: 'RFC 4918 §8.2: REPORT whose body is not well-formed XML → 400',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const res = await ctx.request('REPORT', calendar, { headers: { Depth: '1', ...XML_HEADERS }, body: BROKEN_REPORT });
      expectStatus(res, 400, 'REPORT with malformed XML');
    },
  },
  {
    id: 'errors.unsupported-report',
    title: 'RFC 3253 §3.6 (DAV:supported-report): a REPORT the server does not know fails with 403 (or 400/501), not 2xx or 5xx',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const body = '<?xml version="1.0" encoding="utf-8"?>\n<X:no-such-report xmlns:X="urn:x-icloud-conformance:" xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></X:no-such-report>';
      const res = await ctx.request('REPORT', calendar, { headers: { Depth: '0', ...XML_HEADERS }, body });
      expectStatus(res, [400, 403, 501], 'REPORT of an unknown kind');
    },
  },
]);

/**
 * GET and HEAD of calendar objects (RFC 9110 §9.3.1–§9.3.2), DELETE with If-Match (RFC 4918 §9.6,
 * RFC 9110 §13.1.1).
 */
import { defineCases } from '../case.js';
import { check, describe, expectStatus } from '../http.js';
import { event, propertyValues } from '../ical.js';
import { sameEtag } from './common.js';

export const getCases = defineCases('get', [
  {
    id: 'get.object',
    title: 'RFC 9110 §9.3.1, RFC 4791 §4.1: GET of an object → 200 text/calendar with its ETag and data',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uid = ctx.uniqueName('uid');
      const object = await ctx.createObject(calendar, 'get.ics', event({ uid, start: '20270201T100000Z', end: '20270201T110000Z' }));
      const res = await ctx.request('GET', object.url);
      expectStatus(res, 200, 'GET the object');
      check((res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/calendar'), `${describe(res)}: Content-Type is "${res.headers.get('content-type')}", not text/calendar`);
      check(sameEtag(res.headers.get('etag'), object.etag), `${describe(res)}: ETag ${res.headers.get('etag')} differs from the PUT's ${object.etag}`);
      check(propertyValues(res.text, 'UID')[0] === uid, `${describe(res)}: the body is not the object with UID ${uid}`);
    },
  },
  {
    id: 'get.head',
    title: 'RFC 9110 §9.3.2: HEAD of an object → 200 with the same ETag, Content-Type and Content-Length as GET',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const object = await ctx.createObject(calendar, 'head.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const get = await ctx.request('GET', object.url);
      const head = await ctx.request('HEAD', object.url);
      expectStatus(head, 200, 'HEAD the object');
      check(sameEtag(head.headers.get('etag'), get.headers.get('etag')), `HEAD ${object.url}: ETag ${head.headers.get('etag')} differs from GET's ${get.headers.get('etag')}`);
      check((head.headers.get('content-type') ?? '').toLowerCase().startsWith('text/calendar'), `HEAD ${object.url}: Content-Type is "${head.headers.get('content-type')}"`);
      // Compared header to header: a GET may be content-coded (gzip), and a HEAD describes that same response.
      const [headLength, getLength] = [head.headers.get('content-length'), get.headers.get('content-length')];
      check(headLength === null || getLength === null || headLength === getLength, `HEAD ${object.url}: Content-Length ${headLength} differs from GET's ${getLength}`);
    },
  },
  {
    id: 'get.if-none-match',
    title: 'RFC 9110 §13.1.2: GET with If-None-Match naming the current ETag → 304 Not Modified; with another ETag → 200',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const object = await ctx.createObject(calendar, 'cached.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const same = await ctx.request('GET', object.url, { headers: { 'If-None-Match': object.etag } });
      expectStatus(same, 304, 'GET If-None-Match with the current etag');
      const other = await ctx.request('GET', object.url, { headers: { 'If-None-Match': '"some-other-etag"' } });
      expectStatus(other, 200, 'GET If-None-Match with another etag');
    },
  },
  {
    id: 'get.missing',
    title: 'RFC 9110 §15.5.5: GET of an object that does not exist → 404',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      expectStatus(await ctx.request('GET', `${calendar}nothing-here.ics`), 404, 'GET of a missing object');
    },
  },
]);

export const deleteCases = defineCases('delete', [
  {
    id: 'delete.stale-if-match',
    title: 'RFC 9110 §13.1.1: DELETE with a stale ETag in If-Match → 412, the object still there',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uid = ctx.uniqueName('uid');
      const object = await ctx.createObject(calendar, 'keep.ics', event({ uid, start: '20270201T100000Z', end: '20270201T110000Z', summary: 'v1' }));
      const update = await ctx.put(object.url, event({ uid, start: '20270201T100000Z', end: '20270201T110000Z', summary: 'v2' }), { 'If-Match': object.etag });
      expectStatus(update, [200, 201, 204], 'PUT If-Match (to make the first etag stale)');
      const res = await ctx.request('DELETE', object.url, { headers: { 'If-Match': object.etag } });
      expectStatus(res, 412, 'DELETE with a stale If-Match');
      expectStatus(await ctx.request('GET', object.url), 200, 'GET after the refused DELETE');
    },
  },
  {
    id: 'delete.if-match',
    title: 'RFC 4918 §9.6, RFC 9110 §13.1.1: DELETE with the current ETag in If-Match → 2xx, then GET → 404',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const object = await ctx.createObject(calendar, 'gone.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const res = await ctx.request('DELETE', object.url, { headers: { 'If-Match': object.etag } });
      expectStatus(res, [200, 204], 'DELETE with the current If-Match');
      expectStatus(await ctx.request('GET', object.url), 404, 'GET after DELETE');
    },
  },
  {
    id: 'delete.missing',
    title: 'RFC 9110 §15.5.5: DELETE of an object that does not exist → 404',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      expectStatus(await ctx.request('DELETE', `${calendar}never-was.ics`), 404, 'DELETE of a missing object');
    },
  },
]);

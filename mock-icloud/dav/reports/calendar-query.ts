/**
 * CALDAV:calendar-query REPORT (RFC 4791 §7.8).
 *
 * iCloud specifics reproduced (dossier §4): the collection itself comes back as an extra first
 * response (empty 200 propstat, requested properties 404); a VEVENT/VTODO comp-filter is required;
 * a subscribed calendar answers an empty multistatus. Time ranges are answered from the time
 * index built at write time; only objects whose recurrence runs past their indexed instances, or
 * queries with property filters, parse anything.
 */
import { expandInstancesDetailed, parseICalendar } from '../../../icalendar/index.js';
import { DavError, precondition } from '../../http/errors.js';
import type { CalendarObject } from '../../store/model.js';
import { CALDAV } from '../../../common/xml/names.js';
import { child, children, type XmlElement } from '../../../common/xml/parse.js';
import type { XmlNode } from '../../xml/write.js';
import type { DavContext } from '../context.js';
import { propertiesResponse, sendMultistatus } from '../multistatus.js';
import { objectHref, type Resource } from '../resources.js';
import { calendarDataSpec, memberResponse, ReportBudget, requestedProps } from './common.js';
import { calendarMatches, type CompFilter, isIndexOnly, parseCompFilter } from './filter.js';
import type { ReportDefinition } from './registry.js';

type QueryTarget = Extract<Resource, { kind: 'calendar' | 'subscribed' }>;

export async function calendarQuery(root: XmlElement, target: QueryTarget, ctx: DavContext): Promise<void> {
  const props = requestedProps(root);
  const vcalendar = parseTopFilter(root, ctx);
  if (target.kind === 'subscribed') {
    await sendMultistatus(ctx.res, []); // accepted, always empty (dossier §3, [R])
    return;
  }
  const calendar = target.view.calendar;
  const [primary, ...others] = vcalendar.compFilters;
  // iCloud's collection-self response: an empty 200 propstat, every requested property 404.
  const responses: XmlNode[] = [propertiesResponse(target, props, ctx, () => null)];

  if (primary.name === calendar.component && !primary.isNotDefined) {
    const needsParse = !isIndexOnly(primary) || others.length > 0 || vcalendar.propFilters.length > 0;
    const budget = new ReportBudget(props, 'calendar-query');
    const matched: Resource[] = [];
    for (const object of candidates(primary, target, ctx)) {
      if (needsParse && !calendarMatches(parseICalendar(object.data).root, vcalendar, primary)) continue;
      const resource: Resource = { kind: 'object', href: objectHref(target.href, object.name), account: target.account, parent: target, name: object.name, object };
      budget.charge(resource); // 403 number-of-matches-within-limits before any of the answer is built
      matched.push(resource);
    }
    const spec = calendarDataSpec(root, ctx);
    for (const resource of matched) responses.push(memberResponse(resource, props, ctx, spec));
  }
  await sendMultistatus(ctx.res, responses);
}

function parseTopFilter(root: XmlElement, ctx: DavContext): CompFilter {
  const filter = child(root, CALDAV('filter'));
  const top = filter && children(filter, CALDAV('comp-filter'));
  if (!top || top.length !== 1 || top[0].attrs.name?.toUpperCase() !== 'VCALENDAR') {
    throw precondition(400, 'calendar-query needs <filter><comp-filter name="VCALENDAR">', CALDAV('valid-filter'));
  }
  const vcalendar = parseCompFilter(top[0]);
  if (vcalendar.compFilters.length === 0) {
    if (ctx.quirks.queryWithoutComponentFilter === 'icloud-500') {
      throw new DavError(500, 'calendar-query without a VEVENT/VTODO comp-filter (iCloud answers 500, dossier §4)');
    }
    throw precondition(400, 'calendar-query needs a VEVENT or VTODO comp-filter inside VCALENDAR, as iCloud requires', CALDAV('valid-filter'));
  }
  return vcalendar;
}

/**
 * Work done answering time ranges beyond the index: objects whose instances had to be computed,
 * and the recurrence steps that took. A deterministic measure for tests and benchmarks.
 */
export const queryWork = { expansions: 0, steps: 0 };

function* candidates(filter: CompFilter, target: Extract<Resource, { kind: 'calendar' }>, ctx: DavContext): Iterable<CalendarObject> {
  const calendar = target.view.calendar;
  if (!filter.timeRange) {
    yield* ctx.store.listObjects(calendar);
    return;
  }
  const range = filter.timeRange;
  const { matches, maybe } = ctx.store.queryTimeRange(calendar, range);
  for (const name of matches) {
    const object = ctx.store.getObject(calendar, name);
    if (object) yield object;
  }
  for (const name of maybe) {
    const object = ctx.store.getObject(calendar, name);
    if (!object) continue;
    // Whether one instance falls in the range is all the filter asks: stop at the first.
    const result = expandInstancesDetailed(parseICalendar(object.data), range, { defaultZone: calendar.timezone ?? 'UTC', maxInstances: 1 });
    queryWork.expansions++;
    queryWork.steps += result.steps;
    if (result.instances.length > 0) yield object;
  }
}

export const calendarQueryReport: ReportDefinition = { name: CALDAV('calendar-query'), on: ['calendar', 'subscribed'], run: calendarQuery };

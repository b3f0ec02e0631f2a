/**
 * The REPORTs this server answers: one definition per report module, and the only list there is.
 * REPORT dispatch (dav/report.ts) and the `DAV:supported-report-set` property (dav/properties.ts)
 * both read it, so a report is advertised on a resource exactly where it is answered
 * (RFC 3253 §3.1.5). Adding a report is adding a module and a line here.
 */
import type { QName } from '../../../common/xml/names.js';
import type { XmlElement } from '../../../common/xml/parse.js';
import type { DavContext } from '../context.js';
import type { Resource } from '../resources.js';
import { calendarMultigetReport } from './calendar-multiget.js';
import { calendarQueryReport } from './calendar-query.js';
import { freeBusyQueryReport } from './free-busy-query.js';
import { syncCollectionReport } from './sync-collection.js';

export type ReportTarget = Extract<Resource, { kind: 'calendar' | 'subscribed' }>;

export interface ReportDefinition {
  name: QName;
  /** The resource kinds it is answered (and advertised) on. */
  on: ReadonlyArray<ReportTarget['kind']>;
  run(root: XmlElement, target: ReportTarget, ctx: DavContext): void | Promise<void>;
}

/**
 * Every registered report. A function, not a constant: the report modules import the property
 * code that imports this registry, so the list is read at request time, after every module loaded.
 */
export function registeredReports(): readonly ReportDefinition[] {
  return [calendarQueryReport, calendarMultigetReport, syncCollectionReport, freeBusyQueryReport];
}

/** The definition answering `name` on `resource`, if any. */
export function reportFor(name: QName, resource: Resource): ReportDefinition | undefined {
  return registeredReports().find((r) => r.name === name && (r.on as readonly string[]).includes(resource.kind));
}

/** What `DAV:supported-report-set` lists on a resource of this kind. */
export function reportsOn(kind: Resource['kind']): QName[] {
  return registeredReports()
    .filter((r) => (r.on as readonly string[]).includes(kind))
    .map((r) => r.name);
}

/** Whether any resource answers `name` (a known report on the wrong resource vs an unknown one). */
export function isKnownReport(name: QName): boolean {
  return registeredReports().some((r) => r.name === name);
}

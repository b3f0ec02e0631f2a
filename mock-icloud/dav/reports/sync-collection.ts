/**
 * DAV:sync-collection REPORT (RFC 6578 §3).
 *
 * - An empty token is the initial sync: every member. A token returns only what changed since,
 *   deletions as response-level 404s (§3.5.2), in O(changes) from the calendar's change log.
 * - Like iCloud, the collection itself is the first response, with its own etag (dossier §4).
 * - An unknown, forgotten or foreign token is iCloud's bare 403 (quirk: RFC `valid-sync-token`).
 * - An expired token (store/change-log.ts: a change after it is older than the lifetime) gets the
 *   same 403, or with the `expiredSyncToken: full-listing` quirk the initial sync's answer.
 * - `DAV:limit` is honoured by truncation (§3.6/§3.7): a 507 response for the collection with
 *   `number-of-matches-within-limits`, and a token from which the next request continues.
 * - The calendar-data one answer carries is bounded (LIMITS.reportDataBytes) the same way: the page
 *   ends early with the same 507 and continuing token.
 * - Depth: 0 per the RFC; Depth: 1 is tolerated because python-caldav sends it.
 */
import { badRequest, DavError, precondition } from '../../http/errors.js';
import type { CalendarObject } from '../../store/model.js';
import type { ChangeSet } from '../../store/store.js';
import { DAV, type QName } from '../../../common/xml/names.js';
import { child, type XmlElement } from '../../../common/xml/parse.js';
import { bare, el, type XmlNode } from '../../xml/write.js';
import type { DavContext } from '../context.js';
import { concat, lazily, sendMultistatus, statusLine, statusResponse } from '../multistatus.js';
import { objectHref, type Resource } from '../resources.js';
import { calendarDataSpec, memberResponse, ReportBudget, requestedProps, servesStoredData } from './common.js';
import type { ReportDefinition } from './registry.js';

export async function syncCollection(root: XmlElement, target: Extract<Resource, { kind: 'calendar' | 'subscribed' }>, ctx: DavContext): Promise<void> {
  const depth = (ctx.req.headers.depth as string | undefined)?.trim() ?? '0';
  if (depth !== '0' && depth !== '1') throw badRequest(`sync-collection with Depth: ${depth}; RFC 6578 requires Depth: 0`);
  const level = child(root, DAV('sync-level'))?.text.trim() ?? '1';
  if (level !== '1' && level.toLowerCase() !== 'infinite') throw badRequest(`sync-level "${level}" is not 1 or infinite`);
  const token = child(root, DAV('sync-token'))?.text.trim() ?? '';
  const limit = parseLimit(root) ?? ctx.effects.syncPageSize;
  const props = requestedProps(root);

  if (target.kind === 'subscribed') {
    await sendMultistatus(ctx.res, [], [el(DAV('sync-token'), subscribedToken(target))]);
    return;
  }
  const calendar = target.view.calendar;
  // The answer's calendar-data is bounded too: past LIMITS.reportDataBytes the page ends, as if the
  // client had asked for a DAV:limit (RFC 6578 §3.6), and the token continues from there.
  const budget = new ReportBudget(props, 'sync-collection');
  const fits = (object: CalendarObject) => {
    const resource: Resource = { kind: 'object', href: objectHref(target.href, object.name), account: target.account, parent: target, name: object.name, object };
    if (!budget.fits(resource)) return false;
    budget.charge(resource);
    return true;
  };
  const changes = ctx.store.changesSince(calendar, token === '' ? null : token, limit, fits);
  if ('refused' in changes) {
    if (changes.refused === 'expired' && ctx.quirks.expiredSyncToken === 'full-listing') {
      // python-caldav#122: iCloud "may eventually drop a sync token - in that case the URL for all
      // events … will be returned": the initial sync's answer, deletions unsaid.
      return await syncCollectionAnswer(target, ctx.store.changesSince(calendar, null, limit, fits) as ChangeSet, props, root, ctx);
    }
    const reason = `sync token "${token.slice(0, 24)}…" is not valid for ${target.href} (${changes.refused === 'expired' ? 'expired: a change after it is older than the token lifetime' : 'unknown or forgotten'})`;
    if (ctx.quirks.invalidSyncToken === 'precondition') throw precondition(403, reason, DAV('valid-sync-token'));
    throw new DavError(403, reason);
  }
  await syncCollectionAnswer(target, changes, props, root, ctx);
}

async function syncCollectionAnswer(target: Extract<Resource, { kind: 'calendar' }>, changes: ChangeSet, props: QName[], root: XmlElement, ctx: DavContext): Promise<void> {
  const self = changes.truncated
    ? el(DAV('response'), [bare(DAV('href'), target.href), bare(DAV('status'), statusLine(507)), el(DAV('error'), el(DAV('number-of-matches-within-limits')))])
    : memberResponse(target, props, ctx);
  const spec = calendarDataSpec(root, ctx);
  const member = (object: CalendarObject): XmlNode =>
    memberResponse({ kind: 'object', href: objectHref(target.href, object.name), account: target.account, parent: target, name: object.name, object }, props, ctx, spec);
  // Stored data served as it is cannot fail, so it is made as it is sent; an expansion is made first.
  const members = servesStoredData(spec) ? lazily(changes.changed, member) : changes.changed.map(member);
  const deleted = lazily(changes.deleted, (name) => statusResponse(objectHref(target.href, name), 404));
  await sendMultistatus(ctx.res, concat([self], members, deleted), [el(DAV('sync-token'), changes.token)]);
}

function parseLimit(root: XmlElement): number | undefined {
  const limit = child(root, DAV('limit'));
  if (!limit) return undefined;
  const n = Number(child(limit, DAV('nresults'))?.text.trim());
  if (!Number.isInteger(n) || n < 1) throw badRequest('DAV:limit needs <nresults> with a whole number of at least 1');
  return n;
}

function subscribedToken(target: Extract<Resource, { kind: 'subscribed' }>): string {
  return Buffer.concat([Buffer.from([0x1f, 0x0a, 0x10, 0x12, 0x0c, 0x00, 0x00]), Buffer.from(target.entry.etag)]).toString('base64');
}

export const syncCollectionReport: ReportDefinition = { name: DAV('sync-collection'), on: ['calendar', 'subscribed'], run: syncCollection };

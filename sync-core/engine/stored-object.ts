/**
 * What the engine keeps of an iCloud object it read (a `remote_objects` row), and reading stored
 * data back, in one place for the pull, a booking's own copy and the copies seen elsewhere.
 */
import { parseICalendar, type ParsedCalendar } from '../../icalendar/index.js';
import type { RemoteObject } from '../caldav/client.js';
import type { RemoteCalendar, RemoteObjectRow } from '../state/sync-state.js';
import type { RunContext } from './context.js';
import { remoteModified } from './remote-event.js';

/** What a stored row records of the event itself: its UID and when iCloud last changed it. */
export interface ObjectFacts {
  uid: string;
  remoteModified: number | undefined;
}

export function factsOf(parsed: ParsedCalendar): ObjectFacts {
  return { uid: parsed.uid, remoteModified: remoteModified(parsed) };
}

/** The row for `object` as read from `calendar`; `role` says whose copy it is and how it is followed. */
export function storedRow(
  ctx: RunContext,
  calendar: RemoteCalendar,
  object: RemoteObject,
  facts: ObjectFacts,
  hash: string,
  role: Pick<RemoteObjectRow, 'origin' | 'followed'> & Partial<RemoteObjectRow>,
): RemoteObjectRow {
  return {
    connectionId: ctx.connection.id,
    href: object.href,
    calendarUrl: calendar.url,
    uid: facts.uid,
    etag: object.etag,
    data: object.data,
    contentHash: hash,
    remoteModified: facts.remoteModified,
    gone: false,
    ...role,
  };
}

/** Stored iCalendar data parsed again, or undefined if it no longer parses. */
export function parseStored(data: string | undefined): ParsedCalendar | undefined {
  if (data === undefined) return undefined;
  try {
    return parseICalendar(data);
  } catch {
    return undefined;
  }
}

/**
 * How iCloud steps and matchers name an event: `uid` (its UID), or `event` (the key of a platform
 * event whose copy the engine wrote). One of them, never both.
 */
import { z } from 'zod';
import { key } from './vocabulary.js';

export const icloudEventRef = {
  uid: z.union([z.string(), z.number()]).transform(String).optional().describe('the UID of the iCloud event'),
  event: key('platform event').optional().describe('a booking the platform wrote to iCloud, by its key'),
};

export function oneEventRef(value: { uid?: string; event?: string }, ctx: z.RefinementCtx): void {
  if ((value.uid === undefined) === (value.event === undefined)) ctx.addIssue({ code: 'custom', message: 'name the iCloud event with uid or with event (one of them)' });
}

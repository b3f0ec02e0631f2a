/**
 * Every `expect:` matcher, in the order the README lists them and `expect` checks them.
 */
import { busy } from './busy.js';
import { conflicts } from './conflicts.js';
import { connection } from './connection.js';
import { contacts } from './contacts.js';
import type { ExpectationDefinition } from './define-expectation.js';
import { free } from './free.js';
import { icloud } from './icloud.js';
import { icloudWrites } from './icloud-writes.js';
import { invitations } from './invitations.js';
import { journal } from './journal.js';
import { notInICloud } from './not-in-icloud.js';
import { notInPlatform } from './not-in-platform.js';
import { notOfferedSlots } from './not-offered-slots.js';
import { offered } from './offered.js';
import { offeredSlots } from './offered-slots.js';
import { platform } from './platform.js';
import { polled } from './polled.js';
import { report } from './report.js';
import { sameAs } from './same-as.js';

export const EXPECTATIONS: readonly ExpectationDefinition[] = [
  platform,
  notInPlatform,
  icloud,
  notInICloud,
  free,
  busy,
  offeredSlots,
  notOfferedSlots,
  contacts,
  report,
  connection,
  conflicts,
  icloudWrites,
  offered,
  polled,
  journal,
  invitations,
  sameAs,
];

/**
 * Every scenario step, by group, in the order the README lists them. The loader and the runner
 * find steps here and nowhere else.
 */
import { blockTime } from './block-time.js';
import { book } from './book.js';
import { cancel } from './cancel.js';
import { choose } from './choose.js';
import { clearFaults } from './clear-faults.js';
import { clock } from './clock.js';
import { connect } from './connect.js';
import type { StepDefinition } from './define-step.js';
import { deleteEvent } from './delete-event.js';
import { deleteSlot } from './delete-slot.js';
import { disconnect } from './disconnect.js';
import { enableICloudSync } from './enable-icloud-sync.js';
import { expectStep } from './expect.js';
import { fault } from './fault.js';
import { forgetSyncTokens } from './forget-sync-tokens.js';
import { icloudChange } from './icloud-change.js';
import { icloudCreate } from './icloud-create.js';
import { icloudDelete } from './icloud-delete.js';
import { icloudIssuePassword } from './icloud-issue-password.js';
import { icloudMove } from './icloud-move.js';
import { icloudRevokePassword } from './icloud-revoke-password.js';
import { icloudShare } from './icloud-share.js';
import { icloudSubscribe } from './icloud-subscribe.js';
import { icloudTwoFactor } from './icloud-two-factor.js';
import { icloudMoveAccount } from './icloud-move-account.js';
import { icloudUpgradeReminders } from './icloud-upgrade-reminders.js';
import { nameSlot } from './name-slot.js';
import { poll } from './poll.js';
import { reconnect } from './reconnect.js';
import { refreshCalendars } from './refresh-calendars.js';
import { reschedule } from './reschedule.js';
import { setSyncPreferences } from './set-sync-preferences.js';
import { snapshot } from './snapshot.js';
import { sync } from './sync.js';
import { update } from './update.js';
import { updateSlot } from './update-slot.js';

export const STEPS: readonly StepDefinition[] = [
  connect,
  refreshCalendars,
  reconnect,
  disconnect,
  choose,
  setSyncPreferences,
  enableICloudSync,
  book,
  reschedule,
  update,
  cancel,
  deleteEvent,
  blockTime,
  nameSlot,
  updateSlot,
  deleteSlot,
  icloudCreate,
  icloudChange,
  icloudMove,
  icloudDelete,
  icloudShare,
  icloudSubscribe,
  icloudRevokePassword,
  icloudIssuePassword,
  icloudTwoFactor,
  icloudMoveAccount,
  icloudUpgradeReminders,
  fault,
  clearFaults,
  forgetSyncTokens,
  sync,
  poll,
  clock,
  snapshot,
  expectStep,
];

export const STEP_BY_NAME: ReadonlyMap<string, StepDefinition> = new Map(STEPS.map((s) => [s.name, s]));

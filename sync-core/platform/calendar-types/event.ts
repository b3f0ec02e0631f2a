import { singleHostType } from './single-host.js';

/** Event: bookings of an event its first member hosts (single-host.ts). */
export const event = singleHostType('event', 'Event', false);

import { singleHostType } from './single-host.js';

/** Simple: one user's own booking page (single-host.ts). */
export const simple = singleHostType('simple', 'Simple', true);

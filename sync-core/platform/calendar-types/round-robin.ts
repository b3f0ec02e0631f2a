import { rotationType } from './rotation.js';

/** Round Robin: a team takes turns (rotation.ts). */
export const roundRobin = rotationType('round_robin', 'Round Robin');

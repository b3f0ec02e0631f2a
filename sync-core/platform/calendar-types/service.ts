import { rotationType } from './rotation.js';

/** Service: a service any of its members can give, assigned in turns like Round Robin (rotation.ts). */
export const service = rotationType('service', 'Service');

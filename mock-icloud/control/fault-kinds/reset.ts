import { defineFaultKind } from './define.js';

export const reset = defineFaultKind({
  name: 'reset',
  doc: 'headers and half a body, then the connection drops',
  params: {},
  apply({ outcome }) {
    outcome.reset = true;
  },
});

import { defineFaultKind } from './define.js';

export const multiget404 = defineFaultKind({
  name: 'multiget-404',
  doc: 'calendar-multiget answers 404 for hrefs sync-collection just listed (eventual consistency)',
  params: {},
  report: 'calendar-multiget',
  apply({ outcome }) {
    outcome.effects.multigetMissing = true;
  },
});

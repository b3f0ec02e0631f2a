import { defineFaultKind } from './define.js';

export const duplicateDtstamp = defineFaultKind({
  name: 'duplicate-dtstamp',
  doc: "every object read (GET, REPORT calendar-data) carries a first DTSTAMP of the read time, as iCloud's do: bytes change at every read, the etag does not",
  params: {},
  // The requests that read objects' bytes: where iCloud's read-time DTSTAMP shows.
  methods: ['GET', 'HEAD', 'REPORT'],
  apply({ outcome }) {
    outcome.effects.duplicateDtstamp = true;
  },
});

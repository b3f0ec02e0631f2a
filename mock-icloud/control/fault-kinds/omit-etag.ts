import { defineFaultKind } from './define.js';

export const omitEtag = defineFaultKind({
  name: 'omit-etag',
  doc: 'a PUT answered without its ETag header',
  params: {},
  methods: ['PUT'],
  apply({ outcome }) {
    outcome.effects.omitEtagOnPut = true;
  },
});

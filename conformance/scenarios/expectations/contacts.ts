import { z } from 'zod';
import { whole } from '../args/vocabulary.js';
import { need } from '../lookups.js';
import { defineExpectation } from './define-expectation.js';

export const contacts = defineExpectation({
  name: 'contacts',
  doc: 'the number of platform contacts, in one sub-account (by name) or in all',
  args: z.strictObject({ subAccount: z.string().optional(), count: whole(0, 'number of contacts') }),
  shorthand: 'count',
  async check(run, spec) {
    const subs = spec.subAccount !== undefined ? [need(run.subAccounts, spec.subAccount, 'sub-account')] : [...run.subAccounts.values()];
    const found = (await Promise.all(subs.map((id) => run.driver.contacts(id)))).flat();
    return found.length === spec.count ? [] : [{ message: 'unexpected number of contacts', expected: spec.count, actual: found.map((c) => c.name) }];
  },
});

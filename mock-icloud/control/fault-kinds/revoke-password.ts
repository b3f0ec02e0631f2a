import { defineFaultKind } from './define.js';

export const revokePassword = defineFaultKind({
  name: 'revoke-password',
  doc: "the account's (`match.account`, else the request's) app-specific passwords are revoked, mid-sync; then the request is served",
  params: {},
  apply({ rule, facts, outcome }) {
    outcome.revokeFor = rule.match?.account ?? facts.account;
  },
});

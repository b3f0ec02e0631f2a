/**
 * Authentication: HTTP Basic (RFC 7617) answered with 401 and a challenge (RFC 9110 §11.6.1), and
 * iCloud's exact 401 (dossier §2).
 */
import { defineCases, ICLOUD_ONLY } from '../case.js';
import { propfindBody, XML_HEADERS, type CaseContext } from '../context.js';
import { check, describe, expectStatus, type HttpResult } from '../http.js';

async function refused(ctx: CaseContext, auth: 'none' | 'wrong'): Promise<HttpResult> {
  const { principalUrl } = await ctx.discover();
  const credentials = auth === 'none' ? 'none' : { user: ctx.address.user ?? 'conformance', password: `wrong-${ctx.uniqueName('password')}` };
  return ctx.request('PROPFIND', principalUrl, { auth: credentials, headers: { Depth: '0', ...XML_HEADERS }, body: propfindBody(['D:displayname']) });
}

export const authCases = defineCases('auth', [
  {
    id: 'auth.no-credentials',
    title: 'RFC 9110 §11.6.1, RFC 7617 §2: a request without credentials gets 401 with a WWW-Authenticate Basic challenge',
    async run(ctx) {
      const res = await refused(ctx, 'none');
      expectStatus(res, 401, 'PROPFIND on the principal without Authorization');
      check(/\bbasic\b/i.test(res.headers.get('www-authenticate') ?? ''), `${describe(res)}: WWW-Authenticate "${res.headers.get('www-authenticate') ?? ''}" offers no Basic challenge`);
    },
  },
  {
    id: 'auth.wrong-password',
    title: 'RFC 9110 §11.6.1: a wrong password gets 401, not the data',
    async run(ctx) {
      const res = await refused(ctx, 'wrong');
      expectStatus(res, 401, 'PROPFIND on the principal with a wrong password');
    },
  },
  {
    id: 'icloud.auth.challenge',
    title: 'iCloud (dossier §2 [S]): the 401 has an empty body, two challenges (Basic and X-MobileMe-AuthToken, realm "MMCalDav") and x-apple-user-partition',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const res = await refused(ctx, 'wrong');
      expectStatus(res, 401, 'PROPFIND with a wrong password');
      const challenges = res.headers.get('www-authenticate') ?? '';
      check(challenges.includes('Basic realm="MMCalDav"'), `${describe(res)}: no 'Basic realm="MMCalDav"' challenge (WWW-Authenticate: ${challenges})`);
      check(challenges.includes('X-MobileMe-AuthToken realm="MMCalDav"'), `${describe(res)}: no 'X-MobileMe-AuthToken realm="MMCalDav"' challenge (WWW-Authenticate: ${challenges})`);
      check(res.text === '', `${describe(res)}: the body is not empty`);
      check(/^\d+$/.test(res.headers.get('x-apple-user-partition') ?? ''), `${describe(res)}: no numeric x-apple-user-partition header`);
    },
  },
]);

/**
 * PROPFIND (RFC 4918 §9.1) on the service root, principal, calendar home, collections and objects.
 *
 * Depth: 0 and 1 are served; `infinity` is refused with the `propfind-finite-depth` precondition
 * (RFC 4918 §9.1.1), as most CalDAV servers do. A request without a Depth header is treated as
 * Depth: 0 ([U] for iCloud, see FIDELITY.md).
 */
import { badRequest, precondition } from '../http/errors.js';
import { LIMITS } from '../http/body.js';
import { DAV, type QName } from '../../common/xml/names.js';
import { child } from '../../common/xml/parse.js';
import { el } from '../xml/write.js';
import type { DavContext } from './context.js';
import { propertiesResponse, response, sendMultistatus } from './multistatus.js';
import { allpropNames, getProperty, knownPropertyNames } from './properties.js';
import { homeMembers, objectHref, type Resource } from './resources.js';
import { parseXmlBody, requireExisting } from './shared.js';

type PropRequest = { kind: 'prop'; names: QName[] } | { kind: 'allprop'; include: QName[] } | { kind: 'propname' };

export function parseDepth(header: string | undefined, fallback: '0' | '1'): '0' | '1' | 'infinity' {
  const value = (header ?? fallback).trim().toLowerCase();
  if (value === '0' || value === '1' || value === 'infinity') return value;
  throw badRequest(`Depth header "${header}" is not 0, 1 or infinity`);
}

export async function handlePropfind(ctx: DavContext): Promise<void> {
  const depth = parseDepth(ctx.req.headers.depth as string | undefined, '0');
  if (depth === 'infinity') {
    throw precondition(403, 'PROPFIND with Depth: infinity is not supported', DAV('propfind-finite-depth'));
  }
  const request = parsePropfindBody(await ctx.body(LIMITS.xmlBytes));
  const target = requireExisting(ctx.resource);
  const resources: Resource[] = [target];
  if (depth === '1') resources.push(...members(target, ctx));
  await sendMultistatus(
    ctx.res,
    resources.map((r) => describe(r, request, ctx)),
  );
}

function parsePropfindBody(body: string): PropRequest {
  if (body.trim() === '') return { kind: 'allprop', include: [] }; // RFC 4918 §9.1: empty body means allprop
  const root = parseXmlBody(body, DAV('propfind'));
  const prop = child(root, DAV('prop'));
  if (prop) return { kind: 'prop', names: prop.children.map((c) => c.name) };
  if (child(root, DAV('propname'))) return { kind: 'propname' };
  if (child(root, DAV('allprop'))) return { kind: 'allprop', include: child(root, DAV('include'))?.children.map((c) => c.name) ?? [] };
  throw badRequest('propfind body has none of prop, allprop, propname');
}

function members(target: Resource, ctx: DavContext): Resource[] {
  switch (target.kind) {
    case 'home':
      return homeMembers(target.account, ctx.store);
    case 'calendar': {
      const out: Resource[] = [];
      for (const object of ctx.store.listObjects(target.view.calendar)) {
        out.push({ kind: 'object', href: objectHref(target.href, object.name), account: target.account, parent: target, name: object.name, object });
      }
      return out;
    }
    default:
      return [];
  }
}

function describe(resource: Resource, request: PropRequest, ctx: DavContext) {
  switch (request.kind) {
    case 'prop':
      return propertiesResponse(resource, request.names, ctx);
    case 'allprop': {
      const names = [...new Set([...allpropNames(), ...request.include])];
      // allprop lists only what the resource has: no 404 propstat for properties it never had.
      return propertiesResponse(
        resource,
        names.filter((n) => request.include.includes(n) || getProperty(n, resource, ctx) !== null),
        ctx,
      );
    }
    case 'propname':
      return response(resource.href, [
        {
          status: 200,
          props: knownPropertyNames()
            .filter((n) => getProperty(n, resource, ctx) !== null)
            .map((n) => el(n)),
        },
      ]);
  }
}

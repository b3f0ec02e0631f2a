/**
 * The world file: a readable, editable description of iCloud accounts, their calendars and events
 * (fixtures/worlds/*.yaml). Validation names the exact place and problem, so QA can fix a file
 * without reading code.
 *
 * One zod schema per shape. The control plane (control/routes.ts) takes the same shapes in its
 * request bodies (an account, a calendar, an event), so a key misspelt in either is refused the
 * same way: `accounts[0] (alice@example.com).calendars[1]: unknown key "colour" (expected one of: …)`.
 */
import { z } from 'zod';

export class WorldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorldError';
  }
}

// ---- building blocks --------------------------------------------------------------------------------

/** An object that refuses keys it does not know, naming the ones it does. */
export function strict<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = Object.keys(shape);
        const unknown = issue.keys.map((k) => `"${k}"`).join(', ');
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${unknown} (${keys.length ? `expected one of: ${keys.join(', ')}` : 'it takes no keys'})`;
      }
      if (issue.code === 'invalid_type') return 'expected a mapping';
      return undefined;
    },
  });
}

/** YAML leaves `key:` without a value as null: read it as absent. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === null ? undefined : v), schema.optional());

/** Text; a number is read as its text (YAML turns `dsid: 10000001001` into a number). */
export const text = z.union([z.string(), z.number().transform(String)], { error: 'must be text' });
const number = z.number({ error: 'must be a number' }).refine(Number.isFinite, 'must be a number');
const bool = z.boolean({ error: 'must be true or false' });
const list = <T extends z.ZodType>(item: T) => optional(z.array(item, { error: 'must be a list' }));

/** `#RRGGBB` or `#RRGGBBAA`, stored as iCloud writes it: upper case with alpha. */
export const color = text
  .refine((c) => /^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$/.test(c), { error: (issue) => `color must be #RRGGBB or #RRGGBBAA, not "${String(issue.input)}"` })
  .transform((c) => (c.length === 7 ? `${c}FF` : c).toUpperCase());

const component = z.enum(['VEVENT', 'VTODO'], { error: (issue) => `component must be VEVENT or VTODO (iCloud calendars hold one), not "${String(issue.input)}"` });
const access = z.enum(['read-only', 'read-write'], { error: (issue) => `access must be read-only or read-write, not "${String(issue.input)}"` });

// ---- the shapes ----------------------------------------------------------------------------------------

/**
 * The shapes a `byShape` schema chooses among, for the JSON Schema (world.schema.json): its
 * choosing function is code, which JSON Schema cannot say, so it is published as "any of these".
 */
const ALTERNATIVES = new WeakMap<object, readonly z.ZodType[]>();
export const alternativesOf = (schema: object): readonly z.ZodType[] | undefined => ALTERNATIVES.get(schema);

/** Validates with the schema `pick` chooses for the input (one of `shapes`), keeping that schema's issues and paths. */
function byShape<T>(pick: (input: unknown) => z.ZodType<T>, shapes: readonly z.ZodType[]) {
  const schema = z.unknown().transform((input, ctx): T => {
    const result = pick(input).safeParse(input);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue(issue as never);
    return z.NEVER;
  });
  ALTERNATIVES.set(schema, shapes);
  return schema;
}

const appPasswordObject = strict({
  password: text.describe('the app-specific password, e.g. abcd-efgh-ijkl-mnop'),
  label: optional(text).describe('its label, as appleid.apple.com shows it'),
  revoked: optional(bool).describe('revoked: CalDAV refuses it'),
});
const appPasswordText = z.string().describe('an app-specific password, e.g. abcd-efgh-ijkl-mnop');
/** An app-specific password: its text, or `{password, label, revoked}`. */
export const appPasswordSchema = byShape<string | z.output<typeof appPasswordObject>>(
  (input) => (typeof input === 'string' ? appPasswordText : appPasswordObject),
  [appPasswordText, appPasswordObject],
);

export const eventSchema = strict({
  /** Resource name; defaults to `<UID>.ics`. */
  name: optional(text).describe('resource name; default <UID>.ics'),
  /** iCalendar text inline (LF line endings are turned into CRLF). */
  ics: optional(text).describe('the iCalendar text inline (give ics or file)'),
  /** A .ics file, relative to the world file. */
  file: optional(text).describe('a .ics file, relative to the world file (give ics or file)'),
}).refine((e) => (e.ics === undefined) !== (e.file === undefined), 'give exactly one of "ics" (inline iCalendar) or "file" (a path)');

const ownedShape = {
  name: text.describe('the collection name in its URL (/<dsid>/calendars/<name>/)'),
  displayName: optional(text).describe('the name people see'),
  component: optional(component).describe('VEVENT (a calendar, the default) or VTODO (a Reminders list): one per calendar, as in iCloud'),
  color: optional(color).describe('#RRGGBB or #RRGGBBAA'),
  order: optional(number).describe('apple:calendar-order'),
  description: optional(text).describe('CALDAV:calendar-description'),
  /** IANA zone for floating and all-day times in time-range queries. */
  timezone: optional(text).describe('IANA time zone for floating and all-day times in time-range queries, e.g. Europe/London'),
  events: list(eventSchema).describe('its events'),
};
export const ownedCalendarSchema = strict(ownedShape);

export const sharedCalendarSchema = strict({
  sharedFrom: strict({
    owner: text.describe("the owner's Apple ID"),
    calendar: text.describe("the owner's calendar name"),
    access: optional(access).describe('read-only (default) or read-write'),
  }).describe("another account's calendar shared with this one"),
  /** Defaults to the 64-hex name iCloud gives shared calendars. */
  name: optional(text).describe('default: the 64-hex name iCloud gives shared calendars'),
  displayName: optional(text).describe('the name people see'),
  color: optional(color).describe('#RRGGBB or #RRGGBBAA'),
});

export const subscribedCalendarSchema = strict({
  subscribed: text.describe('the feed URL of a subscribed (read-only) calendar'),
  name: text.describe('the collection name in its URL'),
  displayName: text.describe('the name people see'),
  color: optional(color).describe('#RRGGBB or #RRGGBBAA'),
  order: optional(number).describe('apple:calendar-order'),
});

/** A calendar: shared when it has `sharedFrom`, subscribed when it has `subscribed`, owned otherwise. */
export const calendarSchema = byShape<WorldCalendar>(
  (input) => {
    const probe = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
    return (probe.sharedFrom != null ? sharedCalendarSchema : probe.subscribed != null ? subscribedCalendarSchema : ownedCalendarSchema) as z.ZodType<WorldCalendar>;
  },
  [ownedCalendarSchema, sharedCalendarSchema, subscribedCalendarSchema],
);

const accountShape = {
  appleId: text.describe('the Apple ID, an e-mail address'),
  fullName: text.describe("the account holder's name"),
  dsid: optional(text).describe('the DSID in every URL; default: derived from the Apple ID'),
  partition: optional(number).describe('the pNN of the partition host'),
  /** The regular Apple ID password (CalDAV refuses it). */
  password: text.describe('the regular Apple ID password, which CalDAV refuses as iCloud does'),
  twoFactor: optional(bool).describe('two-factor authentication on (default); off, every password is refused'),
  appPasswords: list(appPasswordSchema).describe('app-specific passwords: text, or { password, label, revoked }'),
  calendars: list(calendarSchema).describe('owned calendars, calendars shared with the account (sharedFrom) and subscriptions (subscribed)'),
};
export const accountSchema = strict(accountShape);
/** An account without its calendars: `POST /__mock/accounts`. */
export const newAccountSchema = strict({ ...accountShape, calendars: z.undefined({ error: 'add calendars with POST /__mock/accounts/:appleId/calendars' }).optional() });

export const worldSchema = strict({
  /** Optional description for people reading the file. */
  description: optional(text).describe('for people reading the file'),
  /** Pins the mock's clock (ISO 8601) so etags and tokens are the same on every run. */
  now: optional(text.refine((now) => !Number.isNaN(Date.parse(now)), { error: (issue) => `"now" is not an ISO 8601 time: ${String(issue.input)}` })).describe(
    "pins the mock's clock (ISO 8601) so etags and sync tokens are the same on every run",
  ),
  accounts: list(accountSchema)
    .transform((a) => a ?? [])
    .describe('the iCloud accounts'),
});

// ---- types ---------------------------------------------------------------------------------------------

export type WorldAppPassword = Exclude<z.output<typeof appPasswordSchema>, string>;
export type WorldEvent = z.output<typeof eventSchema>;
export type WorldOwnedCalendar = z.output<typeof ownedCalendarSchema>;
export type WorldSharedCalendar = z.output<typeof sharedCalendarSchema>;
export type WorldSubscribedCalendar = z.output<typeof subscribedCalendarSchema>;
export type WorldCalendar = WorldOwnedCalendar | WorldSharedCalendar | WorldSubscribedCalendar;
export type WorldAccount = Omit<z.output<typeof accountSchema>, 'calendars'> & { calendars?: WorldCalendar[] };
export type NewAccount = Omit<WorldAccount, 'calendars'>;
export interface World {
  description?: string;
  now?: string;
  accounts: WorldAccount[];
}

// ---- validation with the place of the mistake ------------------------------------------------------------

/**
 * Parses `input` with `schema`, or throws `make(message)` naming the first problem and where it is:
 * `accounts[0] (alice@example.com).calendars[1]: unknown key "colour" (expected one of: …)`.
 */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, root: string, make: (message: string) => Error = (m) => new WorldError(m)): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return stripUndefined(result.data) as z.output<T>;
  // A misspelt key explains the "is required" that usually comes with it: report it first.
  const issues = result.error.issues;
  throw make(describeIssue(issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!, input, root));
}

export function describeIssue(issue: z.core.$ZodIssue, input: unknown, root: string): string {
  const path = [...issue.path];
  let value: unknown = input;
  let where = '';
  const at = (key: PropertyKey) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined);
  // A missing or mistyped field is reported on the object holding it: `accounts[0]: "fullName" is required`.
  let field: string | undefined;
  if (issue.code !== 'unrecognized_keys' && typeof path.at(-1) === 'string') {
    const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
    const own = parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[path.at(-1) as string] : undefined;
    if (own === undefined || own === null || /^(must|expected)/.test(issue.message)) field = path.pop() as string;
  }
  path.forEach((key, i) => {
    value = at(key);
    if (typeof key === 'number') {
      where += `[${key}]`;
      const label = labelOf(value, path[i - 1], i < path.length - 1);
      if (label) where += ` (${label})`;
    } else {
      where += where ? `.${String(key)}` : String(key);
    }
  });
  let message = issue.message;
  if (field !== undefined) {
    const missing = at(field) === undefined || at(field) === null;
    message = missing ? `"${field}" is required` : `"${field}" ${message}`;
  }
  return `${where || root}: ${message}`;
}

/** `accounts[0] (alice@example.com)`, `calendars[1] (work)` when the path goes on inside it. */
function labelOf(value: unknown, list: PropertyKey | undefined, deeper: boolean): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const o = value as Record<string, unknown>;
  if (list === 'accounts' && typeof o.appleId === 'string') return o.appleId;
  if (list === 'calendars' && deeper && typeof o.name === 'string') return o.name;
  return undefined;
}

function stripUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripUndefined) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = stripUndefined(v);
  return out as T;
}

/** Checks a parsed YAML/JSON document and returns it typed, or throws WorldError naming the spot. */
export function validateWorld(input: unknown): World {
  return parseWith(worldSchema, input, 'world') as World;
}

export function isShared(c: WorldCalendar): c is WorldSharedCalendar {
  return 'sharedFrom' in c;
}

export function isSubscribed(c: WorldCalendar): c is WorldSubscribedCalendar {
  return 'subscribed' in c;
}

/**
 * Every fault kind, in the order the README's table and `--help` list them. A new kind is a file
 * in this folder (see define.ts) and its line here; the engine, the schemas, the --fault flag and
 * the docs follow from the record.
 */
import { duplicateDtstamp } from './duplicate-dtstamp.js';
import { forbiddenWrite } from './forbidden-write.js';
import { latency } from './latency.js';
import { multiget404 } from './multiget-404.js';
import { omitEtag } from './omit-etag.js';
import { reset } from './reset.js';
import { revokePassword } from './revoke-password.js';
import { serverError } from './server-error.js';
import { tooManyRequests } from './too-many-requests.js';
import { touchEtags } from './touch-etags.js';
import { truncateSync } from './truncate-sync.js';
import { unavailable } from './unavailable.js';

export const FAULT_KIND_DEFINITIONS = [
  unavailable,
  tooManyRequests,
  serverError,
  forbiddenWrite,
  reset,
  latency,
  omitEtag,
  truncateSync,
  multiget404,
  touchEtags,
  duplicateDtstamp,
  revokePassword,
] as const;

/**
 * The protocol's documentation is generated from the schemas the server and the client use: the
 * committed JSON Schemas and PROTOCOL.md's table must be what `npm run schemas` writes now, and
 * every driver operation must be in the protocol.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../common/project-root.js';
import { HttpDriver } from './http-driver.js';
import { OPERATION_NAMES } from './http-protocol.js';
import { PROTOCOL_DOC, SCHEMA_DIR, schemaFiles, withOperationTable } from './protocol-schemas.js';
import { SyncCoreDriver } from './sync-core-driver.js';

const root = projectRoot();

describe('the driver protocol schemas (npm run schemas)', () => {
  it('the committed JSON Schemas are current, one per request and answer, none left over', () => {
    const files = schemaFiles();
    expect(readdirSync(join(root, SCHEMA_DIR)).sort()).toEqual([...files.keys()].sort());
    for (const [name, text] of files) expect(readFileSync(join(root, SCHEMA_DIR, name), 'utf8'), name).toBe(text);
  });

  it("PROTOCOL.md's operation table is current", () => {
    const doc = readFileSync(join(root, PROTOCOL_DOC), 'utf8');
    expect(doc).toBe(withOperationTable(doc));
  });

  it('every SyncEngineDriver operation is a protocol operation, and the HTTP client implements each', () => {
    const methods = (proto: object) => Object.getOwnPropertyNames(proto).filter((m) => m !== 'constructor' && m !== 'close' && m !== 'call');
    expect(methods(SyncCoreDriver.prototype).sort()).toEqual([...OPERATION_NAMES].sort());
    expect(methods(HttpDriver.prototype).sort()).toEqual([...OPERATION_NAMES].sort());
  });

  it('a request schema is strict and names the session; an answer schema lets an adapter add keys', () => {
    const files = schemaFiles();
    const request = JSON.parse(files.get('sync.request.json')!);
    expect(request).toMatchObject({ title: 'POST /v1/sync request', additionalProperties: false, required: ['session', 'connectionId'] });
    expect(Object.keys(request.properties)).toEqual(['session', 'connectionId', 'interruptAfterRequests', 'loseAnswerOf']);
    const answer = JSON.parse(files.get('sync.answer.json')!);
    expect(answer.additionalProperties).toBeUndefined();
    expect(answer.properties.report.required).toContain('outcome');
    expect(JSON.parse(files.get('error.json')!).properties.error.required).toEqual(['code', 'message']);
  });
});

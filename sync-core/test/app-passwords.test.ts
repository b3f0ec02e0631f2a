/**
 * App-specific passwords at rest, end to end: with a secret key the database never holds the
 * password, runs use it, a process without the key fails its runs (saying why) without asking the
 * user to reconnect, and passwords stored before the key was given can be sealed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncCore } from '../sync-core.js';
import { ALICE_ICLOUD, connectAlice, createWorld, type TestWorld } from './world.js';

const KEY = randomBytes(32).toString('base64');
let w: TestWorld | undefined;
const others: SyncCore[] = [];
afterEach(async () => {
  for (const core of others.splice(0)) await core.close();
  await w?.close();
});

const freshDatabase = () => join(mkdtempSync(join(tmpdir(), 'icloud-sync-secrets-')), 'state.sqlite');
/** Every byte SQLite has written for `database`, its write-ahead log included. */
const bytesOf = (database: string) => Buffer.concat([database, `${database}-wal`].filter(existsSync).map((f) => readFileSync(f)));

describe('app-specific passwords at rest', () => {
  it('are sealed with the key, used by runs, and a process without the key fails its runs without asking for a reconnect', async () => {
    const database = freshDatabase();
    w = await createWorld({ database, secretKey: KEY });
    const connection = await connectAlice(w);
    expect((await w.core.state.getConnection(connection.id))!.appPassword).toMatch(/^sealed:aes-256-gcm:v1:/);
    expect((await w.core.sync(connection.id)).outcome).toBe('ok');
    expect(bytesOf(database).includes(ALICE_ICLOUD.appPassword)).toBe(false);

    const keyless = await SyncCore.open({ database, clock: w.clock });
    others.push(keyless);
    const run = await keyless.sync(connection.id);
    expect(run.outcome).toBe('failed');
    expect(run.errors).toEqual([expect.objectContaining({ phase: 'run', code: 'secret-key', message: expect.stringContaining('ICLOUD_SYNC_SECRET_KEY') })]);
    expect((await keyless.connections.get(connection.id)).status).toBe('active');
    const wrongKey = await SyncCore.open({ database, clock: w.clock, secretKey: randomBytes(32).toString('hex') });
    others.push(wrongKey);
    expect((await wrongKey.sync(connection.id)).errors[0]!.message).toMatch(/does not open with this secret key/);
  });

  it('stored before the key was given are read with it, and sealed by sealStoredPasswords', async () => {
    const database = freshDatabase();
    w = await createWorld({ database });
    const connection = await connectAlice(w);
    expect((await w.core.state.getConnection(connection.id))!.appPassword).toBe(ALICE_ICLOUD.appPassword);
    await expect(w.core.connections.sealStoredPasswords()).rejects.toMatchObject({ code: 'secret-key' });

    const keyed = await SyncCore.open({ database, clock: w.clock, secretKey: KEY });
    others.push(keyed);
    expect((await keyed.sync(connection.id)).outcome).toBe('ok');
    expect(await keyed.connections.sealStoredPasswords()).toBe(1);
    expect(await keyed.connections.sealStoredPasswords()).toBe(0);
    expect((await keyed.state.getConnection(connection.id))!.appPassword).toMatch(/^sealed:/);
    expect((await keyed.sync(connection.id)).outcome).toBe('ok');
  });

  it('are sealed again on reconnect', async () => {
    w = await createWorld({ database: freshDatabase(), secretKey: KEY });
    const connection = await connectAlice(w);
    const before = (await w.core.state.getConnection(connection.id))!.appPassword;
    await w.core.connections.reconnect(connection.id, ALICE_ICLOUD.appPassword);
    const after = (await w.core.state.getConnection(connection.id))!.appPassword;
    expect(after).toMatch(/^sealed:/);
    expect(after).not.toBe(before);
  });
});

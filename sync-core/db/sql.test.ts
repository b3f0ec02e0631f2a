/**
 * insertRows writes rows each database's own way (multi-row VALUES on SQLite, one array literal per
 * column on PostgreSQL, built by hand in sql.ts): any text and any number must come back as it
 * went in, on both. A lone surrogate (which UTF-8 cannot hold) comes back as U+FFFD, as it always
 * did. The seed is printed; INSERT_ROWS_SEED=<seed> replays it.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postgresPeer } from '../store/postgres/test-postgres.js';
import { useTestPostgres } from '../store/postgres/use-test-postgres.js';
import { insertRows, PostgresDb, SqliteDb, type SqlDb } from './sql.js';

const seed = process.env.INSERT_ROWS_SEED ? Number(process.env.INSERT_ROWS_SEED) : Date.now() % 2_147_483_647;

// Any text PostgreSQL can store (NUL it refuses, as before), biased to what array literals quote.
const text = fc.oneof(
  fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')),
  fc.array(fc.constantFrom('"', '\\', ',', '{', '}', ' ', 'NULL', 'null', "'", '\n', '\r\n', 'é', '\ud83d\ude00', '\ud800', 'a'), { maxLength: 12 }).map((p) => p.join('')),
);
const wellFormed = (s: string) => (s as string & { toWellFormed(): string }).toWellFormed();
const row = fc.tuple(text, fc.option(text), fc.option(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 })));

function roundTrip(db: () => SqlDb) {
  return async () => {
    console.log(`insertRows property test seed: ${seed} (replay with INSERT_ROWS_SEED=${seed})`);
    let table = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), async (rows) => {
        const name = `rows_${++table}`;
        await db().exec(`CREATE TABLE ${name} (n BIGINT PRIMARY KEY, a TEXT NOT NULL, b TEXT, c BIGINT)`);
        await insertRows(
          db(),
          name,
          ['n', 'a', 'b', 'c'],
          rows.map(([a, b, c], n) => [n, a, b, c]),
        );
        const back = await db().all<{ n: number; a: string; b: string | null; c: number | null }>(`SELECT n, a, b, c FROM ${name} ORDER BY n`);
        expect(back).toEqual(rows.map(([a, b, c], n) => ({ n, a: wellFormed(a), b: b === null ? null : wellFormed(b), c })));
      }),
      { seed, numRuns: 150 },
    );
  };
}

describe('insertRows on SQLite', () => {
  const db = new SqliteDb(new Database(':memory:'));
  it(
    `writes any text and number as given (seed ${seed})`,
    roundTrip(() => db),
  );
});

const postgres = await postgresPeer();

describe.skipIf(postgres.skip)('insertRows on PostgreSQL', () => {
  const server = useTestPostgres(postgres);
  let db: PostgresDb | undefined;
  it(`writes any text and number as given (seed ${seed})`, async () => {
    db = await PostgresDb.connect(await server().createDatabase('insert_rows'));
    try {
      await roundTrip(() => db!)();
    } finally {
      await db.close();
    }
  });
});

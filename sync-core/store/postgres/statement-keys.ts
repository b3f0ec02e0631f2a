/**
 * Foreign keys PostgreSQL checks once per statement instead of once per row.
 *
 * A PostgreSQL foreign key runs one query per inserted row: it looks the parent up and locks it
 * FOR KEY SHARE. A first sync of 10,000 events inserts about five rows per event that way (the
 * event's sub-account, its user and the event itself for platform_event_users, the connection for
 * remote_objects and occurrence_links): measured, those checks were 30% of PostgreSQL's CPU for
 * the import, and the import's writes are the tail of a first sync on PostgreSQL.
 *
 * The keys below keep every guarantee of the constraint they replace, on any writer:
 *
 * - an INSERT into the child is refused (SQLSTATE 23503, foreign_key_violation) when one of its
 *   keys is not in the parent. The check runs once after the statement, over all its rows (a
 *   transition table), and locks the parent rows FOR KEY SHARE as the constraint did: a parent
 *   deleted meanwhile makes the insert fail, and a parent cannot be deleted until the insert's
 *   transaction ends;
 * - deleting a parent deletes its children (`cascade`) or is refused while a child refers to it
 *   (`restrict`), once per statement;
 * - a key never changes: an UPDATE that changes the child's key or the parent's id is refused.
 *   The constraint let a child move to another existing parent; no code does, and the triggers
 *   for it fire only when the statement sets that column.
 *
 * Checked under READ COMMITTED (the stores' level), as the constraint's own checks are. SQLite
 * keeps real foreign keys: its checks are in-process index lookups, not queries.
 */

export interface StatementKey {
  child: string;
  column: string;
  parent: string;
  /** What deleting a parent does to the rows that refer to it. */
  onDelete: 'cascade' | 'restrict';
}

/** The foreign keys on a first sync's path, each written once per imported event. */
export const STATEMENT_KEYS: readonly StatementKey[] = [
  { child: 'platform_events', column: 'sub_account_id', parent: 'platform_sub_accounts', onDelete: 'restrict' },
  { child: 'platform_event_users', column: 'event_id', parent: 'platform_events', onDelete: 'restrict' },
  { child: 'platform_event_users', column: 'user_id', parent: 'platform_users', onDelete: 'restrict' },
  { child: 'remote_objects', column: 'connection_id', parent: 'connections', onDelete: 'cascade' },
  { child: 'occurrence_links', column: 'connection_id', parent: 'connections', onDelete: 'cascade' },
];

/** Refuses an UPDATE that changes a key (TG_ARGV: the column); its triggers fire only when the column is set. */
const KEY_FIXED = `
CREATE FUNCTION statement_key_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE foreign_key_violation USING
    MESSAGE = format('update of %I refused: %s is a key and never changes', TG_TABLE_NAME, TG_ARGV[0]);
END $$;`;

/**
 * One key's functions. Each is written for its tables (static SQL, not EXECUTE with the names as
 * arguments): PL/pgSQL then plans its query once per session. Planned on every call, a one-row
 * insert's check cost PostgreSQL 110 µs more than the constraint did; planned once, 10-15 µs.
 */
function keyFunctions({ child, column, parent, onDelete }: StatementKey, name: string): string {
  // Each parent is locked as the constraint locked it, unless this transaction wrote it (its
  // xmin): nobody else can delete such a row before this transaction ends. (A first sync's event
  // users name 500 events just inserted.) CASE keeps the lock from being taken for those.
  const inserted = `
CREATE FUNCTION ${name}_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT n.k INTO missing FROM (SELECT DISTINCT ${column} AS k FROM new_rows WHERE ${column} IS NOT NULL) n
   WHERE CASE WHEN EXISTS (SELECT 1 FROM ${parent} p WHERE p.id = n.k AND p.xmin = pg_current_xact_id()::xid) THEN false
              ELSE NOT EXISTS (SELECT 1 FROM ${parent} p WHERE p.id = n.k FOR KEY SHARE OF p) END
   LIMIT 1;
  IF missing IS NOT NULL THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('insert into ${child} refused: ${column} %L is not in ${parent}', missing);
  END IF;
  RETURN NULL;
END $$;`;
  const deleted =
    onDelete === 'cascade'
      ? `
CREATE FUNCTION ${name}_parent_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM ${child} WHERE ${column} IN (SELECT id FROM old_rows);
  RETURN NULL;
END $$;`
      : `
CREATE FUNCTION ${name}_parent_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  referred text;
BEGIN
  SELECT o.id INTO referred FROM old_rows o WHERE EXISTS (SELECT 1 FROM ${child} c WHERE c.${column} = o.id) LIMIT 1;
  IF referred IS NOT NULL THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('delete from ${parent} refused: %L is still referred to by ${child}.${column}', referred);
  END IF;
  RETURN NULL;
END $$;`;
  return inserted + deleted;
}

/** The DDL that replaces each key's foreign key constraint by its functions and triggers. */
export function statementKeysSql(keys: readonly StatementKey[] = STATEMENT_KEYS): string {
  const parts = [KEY_FIXED];
  for (const key of keys) {
    const { child, column, parent } = key;
    const name = `${child}_${column}`;
    parts.push(keyFunctions(key, name));
    parts.push(`ALTER TABLE ${child} DROP CONSTRAINT ${name}_fkey;
CREATE TRIGGER ${name}_inserted AFTER INSERT ON ${child} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${name}_inserted();
CREATE TRIGGER ${name}_fixed BEFORE UPDATE OF ${column} ON ${child}
  FOR EACH ROW WHEN (OLD.${column} IS DISTINCT FROM NEW.${column}) EXECUTE FUNCTION statement_key_fixed('${column}');
CREATE TRIGGER ${name}_parent_deleted AFTER DELETE ON ${parent} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${name}_parent_deleted();`);
  }
  for (const parent of new Set(keys.map((k) => k.parent))) {
    parts.push(`CREATE TRIGGER ${parent}_id_fixed BEFORE UPDATE OF id ON ${parent}
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION statement_key_fixed('id');`);
  }
  return parts.join('\n');
}

// Does a query read the sales source table or a live function, anywhere PostgreSQL would go: the plan's scans
// (sequential, index, bitmap, on the table or one of its indexes), the functions the plan and the SQL call, and,
// since EXPLAIN shows nothing inside plpgsql or non-inlined SQL functions, those functions' bodies and the plain
// views they read, followed transitively through pg_proc.prosrc and pg_views. Materialized views are the point
// of the exercise and are not followed.
import type { Client } from 'pg';
import { stripSqlComments } from '../../grafana/macros';

export const SOURCE_TABLE = { schema: 'pos', name: 'lengolf_sales' };
const SCHEMAS = ['pos', 'mv_ops', 'funeral', 'funeral_mv', 'public'];
const CALL = new RegExp(`\\b(${SCHEMAS.join('|')})\\.("?)(\\w+)\\2\\s*\\(`, 'g');
const RELATION = new RegExp(`\\b(${SCHEMAS.join('|')})\\.("?)(\\w+)\\2\\b(?!\\s*\\()`, 'g');
const LIVE_CALL = /\b(\w+\.)?\w+_live\s*\(/;
/**
 * Zero-lag reads' live tail (0105): definer functions that read pos.lengolf_sales for the current local date only
 * (they refuse any other day). Reaching them is allowed and reported as `tails`, not followed; explain.test.ts
 * proves their reads are an index range on that date and nothing more.
 */
export const LIVE_TAIL = ['pos.live_tail_sales', 'pos.live_tail_customers'];
const SOURCE_NAME = /\blengolf_sales\b/;

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) {
    walk(child, visit);
  }
}

/** Names of the source table's indexes (a Bitmap Index Scan names only its index). */
async function sourceIndexes(c: Client): Promise<Set<string>> {
  const { rows } = await c.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2`, [
    SOURCE_TABLE.schema,
    SOURCE_TABLE.name,
  ]);
  return new Set(rows.map((r) => r.indexname));
}

/** The plan (VERBOSE, so calls are schema-qualified in outputs and filters) of a statement as this session. */
export async function explain(c: Client, sql: string): Promise<PlanNode> {
  const { rows } = await c.query(`EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`);
  return rows[0]['QUERY PLAN'][0].Plan as PlanNode;
}

export interface SourceReport {
  problems: string[];
  /** Functions the query reaches (through the SQL, the plan and function bodies), qualified. */
  functions: string[];
  /** Plan node types with their relation, for the message. */
  scans: string[];
  /** The live-tail functions (LIVE_TAIL) the query reaches. */
  tails: string[];
}

/**
 * Problems for one prepared statement: planned as `session` (the data source's login), bodies read as `catalog`
 * (any session: pg_proc and pg_views are readable by every role).
 */
export async function sourceReads(session: Client, catalog: Client, sql: string): Promise<SourceReport> {
  const problems: string[] = [];
  const scans: string[] = [];
  const plan = await explain(session, sql);
  const indexes = await sourceIndexes(catalog);
  const planText: string[] = [];
  walk(plan, (n) => {
    const type = String(n['Node Type']);
    const relation = n['Relation Name'] as string | undefined;
    const schema = (n.Schema as string | undefined) ?? SOURCE_TABLE.schema;
    const index = n['Index Name'] as string | undefined;
    if (relation) {
      scans.push(`${type} on ${schema}.${relation}`);
    }
    if (relation === SOURCE_TABLE.name && schema === SOURCE_TABLE.schema) {
      problems.push(`plan: ${type} on ${SOURCE_TABLE.schema}.${SOURCE_TABLE.name}`);
    } else if (index && indexes.has(index)) {
      problems.push(`plan: ${type} using ${index} (an index of ${SOURCE_TABLE.schema}.${SOURCE_TABLE.name})`);
    }
    const fn = n['Function Name'] as string | undefined;
    if (fn && /_live$/.test(fn)) {
      problems.push(`plan: ${type} of ${schema}.${fn}`);
    }
    for (const [k, v] of Object.entries(n)) {
      if (k !== 'Plans') {
        planText.push(typeof v === 'string' ? v : JSON.stringify(v));
      }
    }
  });
  const text = stripSqlComments(sql);
  if (LIVE_CALL.test(text)) {
    problems.push(`SQL calls ${LIVE_CALL.exec(text)?.[0]}…`);
  }
  const live = planText.find((t) => LIVE_CALL.test(t));
  if (live) {
    problems.push(`plan calls ${LIVE_CALL.exec(live)?.[0]}…`);
  }
  const functions = await followBodies(catalog, [text, ...planText].join('\n'), problems);
  return { problems, functions, scans, tails: functions.filter((f) => LIVE_TAIL.includes(f)) };
}

const catalogCache = new WeakMap<Client, Map<string, Promise<Array<Record<string, string>>>>>();

/** Catalog lookups repeat across hundreds of statements: one round trip per distinct lookup. */
function lookup(catalog: Client, sql: string, params: string[]): Promise<Array<Record<string, string>>> {
  let cache = catalogCache.get(catalog);
  if (!cache) {
    cache = new Map();
    catalogCache.set(catalog, cache);
  }
  const key = `${sql} ${params.join(' ')}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = catalog.query(sql, params).then((r) => r.rows);
    cache.set(key, hit);
  }
  return hit;
}

/** Follows called functions and read plain views transitively; pushes a problem per body that reads the source. */
async function followBodies(catalog: Client, start: string, problems: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const queue: Array<{ text: string; via: string[] }> = [{ text: start, via: [] }];
  while (queue.length > 0) {
    const { text, via } = queue.shift()!;
    const calls = [...text.matchAll(CALL)].map((m) => `${m[1]}.${m[3]}`);
    const relations = [...text.matchAll(RELATION)].map((m) => `${m[1]}.${m[3]}`);
    for (const name of calls) {
      if (seen.has(`f ${name}`)) {
        continue;
      }
      seen.add(`f ${name}`);
      if (LIVE_TAIL.includes(name)) {
        continue;
      }
      const [schema, fn] = name.split('.');
      const rows = await lookup(
        catalog,
        `SELECT p.prosrc, l.lanname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         JOIN pg_language l ON l.oid = p.prolang WHERE n.nspname = $1 AND p.proname = $2`,
        [schema, fn]
      );
      for (const r of rows) {
        if (r.lanname === 'c' || r.lanname === 'internal') {
          continue;
        }
        const body = stripSqlComments(r.prosrc);
        const path = [...via, `${name}()`];
        if (SOURCE_NAME.test(body)) {
          problems.push(`${path.join(' → ')}: its body reads ${SOURCE_TABLE.schema}.${SOURCE_TABLE.name}`);
        }
        if (LIVE_CALL.test(body)) {
          problems.push(`${path.join(' → ')}: its body calls ${LIVE_CALL.exec(body)?.[0]}…`);
        }
        queue.push({ text: body, via: path });
      }
    }
    for (const name of relations) {
      if (seen.has(`r ${name}`)) {
        continue;
      }
      seen.add(`r ${name}`);
      const [schema, rel] = name.split('.');
      const rows = await lookup(
        catalog,
        `SELECT c.relkind, CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END AS def
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
        [schema, rel]
      );
      const path = [...via, name];
      if (schema === SOURCE_TABLE.schema && rel === SOURCE_TABLE.name && via.length > 0) {
        // Already reported through the body that names it.
        continue;
      }
      if (rows[0]?.relkind === 'v' && via.length > 0) {
        // A plain view read inside a function body: EXPLAIN never saw it, so follow its definition.
        const def = rows[0].def;
        if (SOURCE_NAME.test(def)) {
          problems.push(`${path.join(' → ')}: the view reads ${SOURCE_TABLE.schema}.${SOURCE_TABLE.name}`);
        }
        queue.push({ text: def, via: path });
      }
    }
  }
  return [...seen].filter((s) => s.startsWith('f ')).map((s) => s.slice(2));
}

// The plans of every statement a call runs, nested ones included (inside functions and procedures), as
// auto_explain logs them: sent to this client as notices, in JSON, for the duration of the call only.
import type { Client } from 'pg';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

export interface ExecutedPlan {
  query: string;
  plan: PlanNode;
}

export async function nestedPlans(c: Client, sql: string): Promise<ExecutedPlan[]> {
  const notices: string[] = [];
  const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
  c.on('notice', onNotice);
  try {
    await c.query(`LOAD 'auto_explain'`);
    await c.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on;
                   SET auto_explain.log_level = notice; SET auto_explain.log_format = json`);
    await c.query(sql);
  } finally {
    await c.query(`RESET auto_explain.log_min_duration`);
    c.off('notice', onNotice);
  }
  return (
    notices
      // auto_explain's, not another notice a routine raised.
      .filter((text) => text.includes('"Query Text"'))
      .map((text) => JSON.parse(text.slice(text.indexOf('{'))) as { 'Query Text': string; Plan: PlanNode })
      .map((e) => ({ query: e['Query Text'].trim(), plan: e.Plan }))
  );
}

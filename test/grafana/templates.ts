// Route `url`, header `content` and `body` are Go text/template strings (grafana
// pkg/api/pluginproxy/utils.go interpolateString: template.New("content").Funcs({orEmpty}).Parse,
// then Execute over templateData{URL, JsonData map[string]any, SecureJsonData map[string]string};
// URL stays "" for app routes). This interprets the subset such routes use, with Go's semantics:
//   {{ .JsonData.a.b }}, {{ .SecureJsonData.k }}, {{ .URL }}, {{ orEmpty .JsonData.x }},
//   {{ .JsonData.x | orEmpty }}, {{ if P }}..{{ else if P }}..{{ else }}..{{ end }}, string/int/bool
//   literals, {{- -}} trim markers, {{/* comments */}}.
// A missing map key is an invalid value and prints "<no value>" (missingkey=default), in JsonData and
// SecureJsonData alike; a JSON null prints "<no value>" too; orEmpty turns both into "". Numbers print
// as Go's %v prints float64 (8787, 1e+06). A field on a string, or on a null, is an execution error.
// TemplateError: Go would fail too (Grafana then answers 500). TemplateUnsupportedError: valid Go
// template syntax outside this subset (range, with, variables, index, printf, ...).

export interface TemplateData {
  URL: string;
  JsonData: Record<string, unknown> | null;
  SecureJsonData: Record<string, string> | null;
}

export class TemplateError extends Error {}
export class TemplateUnsupportedError extends Error {}

const NO_VALUE = Symbol('no value'); // reflect.Value{} (a missing key)
const NIL = Symbol('nil'); // interface{} holding nil (a JSON null)
const DOT = Symbol('templateData');
class SecureMap {
  constructor(readonly m: Record<string, string>) {}
}
type Value = unknown;

type Operand =
  { k: 'field'; names: string[] } | { k: 'dot' } | { k: 'literal'; v: string | number | boolean } | { k: 'nil' };
type Command = { k: 'operand'; op: Operand; args: Operand[] } | { k: 'orEmpty'; args: Operand[] };
type Pipe = Command[];
type Node =
  | { t: 'text'; s: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if'; branches: Array<{ pipe: Pipe; body: Node[] }>; otherwise: Node[] | null };

type Tok =
  | { t: 'field'; names: string[] }
  | { t: 'dot' }
  | { t: 'ident'; v: string }
  | { t: 'literal'; v: string | number }
  | { t: 'pipe' };

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const BUILTINS = new Set(
  'and call html index slice js len not or print printf println urlquery eq ge gt le lt ne'.split(' ')
);
const UNSUPPORTED_KEYWORDS = new Set('range with define template block break continue'.split(' '));

function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    let m: RegExpExecArray | null;
    if (isSpace(rest[0])) {
      i++;
    } else if (rest[0] === '|') {
      toks.push({ t: 'pipe' });
      i++;
    } else if ((m = /^(?:\.[\p{L}\p{N}_]+)+/u.exec(rest))) {
      toks.push({ t: 'field', names: m[0].slice(1).split('.') });
      i += m[0].length;
    } else if (rest[0] === '.' && !/^\.\d/.test(rest)) {
      toks.push({ t: 'dot' });
      i++;
    } else if ((m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest))) {
      let v: string;
      try {
        v = JSON.parse(m[0]);
      } catch {
        throw new TemplateUnsupportedError(`string literal escapes other than JSON's: ${m[0]}`);
      }
      toks.push({ t: 'literal', v });
      i += m[0].length;
    } else if ((m = /^`[^`]*`/.exec(rest))) {
      toks.push({ t: 'literal', v: m[0].slice(1, -1).replace(/\r/g, '') });
      i += m[0].length;
    } else if ((m = /^[+-]?\.?\d[\w.+-]*/.exec(rest))) {
      if (!/^\d+$/.test(m[0])) {
        throw new TemplateUnsupportedError(`number literal ${m[0]}`);
      }
      toks.push({ t: 'literal', v: Number(m[0]) });
      i += m[0].length;
    } else if ((m = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(rest))) {
      toks.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    } else if ("$()',=".includes(rest[0]) || rest.startsWith(':=')) {
      throw new TemplateUnsupportedError(`${JSON.stringify(rest[0])} (variables, parentheses, chars)`);
    } else {
      throw new TemplateError(`unexpected ${JSON.stringify(rest[0])} in command`);
    }
  }
  return toks;
}

function operand(tok: Tok): Operand {
  switch (tok.t) {
    case 'field':
      return { k: 'field', names: tok.names };
    case 'dot':
      return { k: 'dot' };
    case 'literal':
      return { k: 'literal', v: tok.v };
    case 'ident':
      if (tok.v === 'true' || tok.v === 'false') {
        return { k: 'literal', v: tok.v === 'true' };
      }
      if (tok.v === 'nil') {
        return { k: 'nil' };
      }
      throw new TemplateUnsupportedError(`function ${tok.v} used as an argument`);
    default:
      throw new TemplateError('unexpected | in operand');
  }
}

function parsePipe(toks: Tok[], what: string): Pipe {
  if (toks.length === 0) {
    throw new TemplateError(`missing value for ${what}`);
  }
  const parts: Tok[][] = [[]];
  for (const tok of toks) {
    if (tok.t === 'pipe') {
      parts.push([]);
    } else {
      parts[parts.length - 1].push(tok);
    }
  }
  return parts.map(([head, ...args]) => {
    if (!head) {
      throw new TemplateError('missing command in pipeline');
    }
    if (head.t === 'ident' && head.v !== 'true' && head.v !== 'false') {
      if (head.v === 'orEmpty') {
        return { k: 'orEmpty', args: args.map(operand) };
      }
      if (head.v === 'nil') {
        throw new TemplateError('nil is not a command');
      }
      if (BUILTINS.has(head.v)) {
        throw new TemplateUnsupportedError(`function ${head.v}`);
      }
      throw new TemplateError(`function "${head.v}" not defined`);
    }
    return { k: 'operand', op: operand(head), args: args.map(operand) };
  });
}

interface Frame {
  node: Extract<Node, { t: 'if' }>;
  target: Node[];
}

function parse(text: string): Node[] {
  const root: Node[] = [];
  const stack: Frame[] = [];
  const target = () => (stack.length ? stack[stack.length - 1].target : root);
  let pos = 0;
  while (pos < text.length) {
    const open = text.indexOf('{{', pos);
    if (open < 0) {
      target().push({ t: 'text', s: text.slice(pos) });
      break;
    }
    let start = open + 2;
    let pre = text.slice(pos, open);
    if (text[start] === '-' && isSpace(text[start + 1])) {
      pre = pre.replace(/[ \t\r\n]+$/, '');
      start += 2;
    }
    if (pre) {
      target().push({ t: 'text', s: pre });
    }
    let end: number;
    if (text.startsWith('/*', start)) {
      const close = text.indexOf('*/', start + 2);
      if (close < 0) {
        throw new TemplateError('unclosed comment');
      }
      end = close + 2;
      if (!text.startsWith('}}', end) && !(isSpace(text[end]) && text.startsWith('-}}', end + 1))) {
        throw new TemplateError('comment ends before closing delimiter');
      }
    } else {
      end = findActionEnd(text, start);
    }
    const trimRight = !text.startsWith('}}', end);
    let next = end + (trimRight ? 4 : 2);
    if (trimRight) {
      while (isSpace(text[next])) {
        next++;
      }
    }
    if (!text.startsWith('/*', start)) {
      action(tokenize(text.slice(start, end)), stack, target);
    }
    pos = next;
  }
  if (stack.length) {
    throw new TemplateError('unexpected EOF: {{if}} without {{end}}');
  }
  return root;
}

/** Where the action's right delimiter (" -}}" or "}}") starts, skipping quoted strings. */
function findActionEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === '`' || c === "'") {
      const close = c === '`' ? text.indexOf('`', i + 1) : quoteEnd(text, i, c);
      if (close < 0) {
        throw new TemplateError('unterminated quoted string');
      }
      i = close;
    } else if (isSpace(c) && text.startsWith('-}}', i + 1)) {
      return i;
    } else if (text.startsWith('}}', i)) {
      return i;
    }
  }
  throw new TemplateError('unclosed action');
}

function quoteEnd(text: string, from: number, q: string): number {
  for (let i = from + 1; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
    } else if (text[i] === q) {
      return i;
    } else if (text[i] === '\n') {
      return -1;
    }
  }
  return -1;
}

function action(toks: Tok[], stack: Frame[], target: () => Node[]): void {
  const [head, ...rest] = toks;
  if (head?.t === 'ident' && head.v === 'if') {
    const node: Frame['node'] = { t: 'if', branches: [{ pipe: parsePipe(rest, 'if'), body: [] }], otherwise: null };
    target().push(node);
    stack.push({ node, target: node.branches[0].body });
  } else if (head?.t === 'ident' && head.v === 'else') {
    const top = stack[stack.length - 1];
    if (!top || top.node.otherwise) {
      throw new TemplateError('unexpected {{else}}');
    }
    if (rest.length === 0) {
      top.node.otherwise = [];
      top.target = top.node.otherwise;
    } else if (rest[0].t === 'ident' && rest[0].v === 'if') {
      const branch = { pipe: parsePipe(rest.slice(1), 'if'), body: [] as Node[] };
      top.node.branches.push(branch);
      top.target = branch.body;
    } else {
      throw new TemplateUnsupportedError('{{else}} followed by something other than if');
    }
  } else if (head?.t === 'ident' && head.v === 'end') {
    if (!stack.length || rest.length) {
      throw new TemplateError('unexpected {{end}}');
    }
    stack.pop();
  } else if (head?.t === 'ident' && UNSUPPORTED_KEYWORDS.has(head.v)) {
    throw new TemplateUnsupportedError(`{{${head.v}}}`);
  } else {
    target().push({ t: 'action', pipe: parsePipe(toks, 'command') });
  }
}

// ---- execution ----

function field(data: TemplateData, receiver: Value, name: string): Value {
  if (receiver === DOT) {
    switch (name) {
      case 'URL':
        return data.URL;
      case 'JsonData':
        return data.JsonData ?? {};
      case 'SecureJsonData':
        return new SecureMap(data.SecureJsonData ?? {});
      default:
        throw new TemplateError(`can't evaluate field ${name} in type pluginproxy.templateData`);
    }
  }
  if (receiver === NO_VALUE) {
    return NO_VALUE; // a field of a missing value is missing too
  }
  if (receiver === NIL) {
    throw new TemplateError(`nil pointer evaluating interface {}.${name}`);
  }
  if (receiver instanceof SecureMap) {
    return Object.hasOwn(receiver.m, name) ? receiver.m[name] : NO_VALUE;
  }
  if (typeof receiver === 'object' && receiver !== null && !Array.isArray(receiver)) {
    const m = receiver as Record<string, unknown>;
    return !Object.hasOwn(m, name) ? NO_VALUE : m[name] === null ? NIL : m[name];
  }
  throw new TemplateError(`can't evaluate field ${name} in type interface {}`);
}

function evalOperand(data: TemplateData, op: Operand): Value {
  switch (op.k) {
    case 'dot':
      return DOT;
    case 'literal':
      return op.v;
    case 'nil':
      return NIL;
    case 'field':
      return op.names.reduce((receiver, name) => field(data, receiver, name), DOT as Value);
  }
}

function evalPipe(data: TemplateData, pipe: Pipe): Value {
  let final: Value | undefined;
  for (const cmd of pipe) {
    let value: Value;
    if (cmd.k === 'orEmpty') {
      // Arguments reach the func as interface{}: a missing value arrives as nil.
      const argv = cmd.args.map((a) => evalOperand(data, a));
      if (final !== undefined) {
        argv.push(final);
      }
      if (argv.length !== 1) {
        throw new TemplateError(`wrong number of args for orEmpty: want 1 got ${argv.length}`);
      }
      value = argv[0] === NIL || argv[0] === NO_VALUE ? '' : argv[0];
    } else {
      if (cmd.args.length || final !== undefined) {
        throw new TemplateError("can't give argument to non-function");
      }
      value = evalOperand(data, cmd.op);
    }
    // exec.go evalPipeline: an interface{} value is replaced by what it holds; nil becomes invalid.
    final = value === NIL ? NO_VALUE : value;
  }
  return final;
}

function truth(v: Value): boolean {
  if (v === NO_VALUE || v === NIL) {
    return false;
  }
  if (v === DOT) {
    return true;
  }
  if (v instanceof SecureMap) {
    return Object.keys(v.m).length > 0;
  }
  if (Array.isArray(v)) {
    return v.length > 0;
  }
  if (typeof v === 'object' && v !== null) {
    return Object.keys(v).length > 0;
  }
  return typeof v === 'string' ? v.length > 0 : typeof v === 'number' ? v !== 0 : Boolean(v);
}

/** strconv.FormatFloat(f, 'g', -1, 64), which fmt's %v uses for float64. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) {
    return 'NaN';
  }
  if (!Number.isFinite(n)) {
    return n > 0 ? '+Inf' : '-Inf';
  }
  if (n === 0) {
    return Object.is(n, -0) ? '-0' : '0';
  }
  const [mantissa, e] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(e);
  const sign = n < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const dp = exp + 1;
  if (dp <= 0) {
    return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  }
  return dp >= digits.length
    ? `${sign}${digits}${'0'.repeat(dp - digits.length)}`
    : `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

function format(v: Value): string {
  if (v === NO_VALUE) {
    return '<no value>';
  }
  if (v === NIL || v === null) {
    return '<nil>';
  }
  if (v === DOT) {
    throw new TemplateUnsupportedError('printing the whole template data (it would print the secrets)');
  }
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number') {
    return goFloat(v);
  }
  if (typeof v === 'boolean') {
    return String(v);
  }
  if (Array.isArray(v)) {
    return `[${v.map((x) => format(x)).join(' ')}]`;
  }
  const m = v instanceof SecureMap ? v.m : (v as Record<string, unknown>);
  return `map[${Object.keys(m)
    .sort()
    .map((k) => `${k}:${format(m[k])}`)
    .join(' ')}]`;
}

function run(data: TemplateData, nodes: Node[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.t === 'text') {
      out += node.s;
    } else if (node.t === 'action') {
      out += format(evalPipe(data, node.pipe));
    } else {
      const branch = node.branches.find((b) => truth(evalPipe(data, b.pipe)));
      out += run(data, branch ? branch.body : (node.otherwise ?? []));
    }
  }
  return out;
}

/** interpolateString: the template executed over the app's settings. */
export function interpolate(text: string, data: TemplateData): string {
  return run(data, parse(text));
}

// Every command the README's shell blocks give is one the tests or .ci/run run: an npm script that exists
// (`npm run <script>`, `npm test`, `npm ci`) or the packages .ci/run installs; a block that needs what this machine
// has not (Docker, systemd, psql on a server of yours) says so on its first line. The README's links to the
// architecture page and the runbook lead to files that exist.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/runMigrations';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const scripts: Record<string, string> = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
const ci = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8');
const MARKER = /^# needs (Docker|systemd|psql)\b/;

interface Block {
  line: number;
  lines: string[];
}

/** Fenced sh/bash/shell/console blocks (also indented inside lists), with their first line number. */
function shellBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let open: { line: number; indent: string; lines: string[]; shell: boolean } | null = null;
  markdown.split('\n').forEach((text, i) => {
    const fence = /^(\s*)```(\w*)/.exec(text);
    if (fence && !open) {
      open = { line: i + 1, indent: fence[1], lines: [], shell: ['sh', 'bash', 'shell', 'console'].includes(fence[2]) };
    } else if (fence && open) {
      if (open.shell) {
        blocks.push({ line: open.line, lines: open.lines });
      }
      open = null;
    } else if (open) {
      open.lines.push(text.slice(open.indent.length));
    }
  });
  return blocks;
}

/** The commands of a block: continuation lines joined, comments and blank lines dropped. */
function commands(block: Block): string[] {
  return block.lines
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Why a command is not one the tests or .ci/run run, or null when it is. */
function notRun(command: string): string | null {
  const bare = command.replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+/, '');
  const npmRun = /^npm run ([\w:-]+)(?:\s+--(?:\s|$)|$)/.exec(bare);
  if (npmRun) {
    return npmRun[1] in scripts ? null : `npm run ${npmRun[1]}: no such script in package.json`;
  }
  if (bare === 'npm test' || bare === 'npm ci') {
    return ci.includes(bare) ? null : `${bare} is not run by .ci/run`;
  }
  const apt = /^apt-get install -y (.+)$/.exec(bare);
  if (apt) {
    const missing = apt[1].split(/\s+/).filter((pkg) => !new RegExp(`\\b${pkg}\\b`).test(ci));
    return missing.length ? `.ci/run does not install ${missing.join(', ')}` : null;
  }
  return `"${bare}" is neither an npm script nor in .ci/run`;
}

describe('README commands', () => {
  const blocks = shellBlocks(readme);

  test('every shell block is run by the tests or .ci/run, or says on its first line what it needs', () => {
    expect(blocks.length).toBeGreaterThan(5);
    const problems = blocks.flatMap((block) =>
      MARKER.test(block.lines[0] ?? '')
        ? []
        : commands(block).flatMap((c) => {
            const why = notRun(c);
            return why ? [`README.md:${block.line}: ${why}`] : [];
          })
    );
    expect(problems).toEqual([]);
  });

  test('the Docker commands are marked as needing Docker, and only those blocks are exempt', () => {
    const marked = blocks.filter((b) => MARKER.test(b.lines[0] ?? ''));
    expect(
      marked.some((b) => /^# needs Docker/.test(b.lines[0]) && commands(b).includes('docker compose up --build'))
    ).toBe(true);
    for (const block of blocks.filter((b) => !MARKER.test(b.lines[0] ?? ''))) {
      for (const c of commands(block)) {
        expect({ line: block.line, docker: /^(docker|systemctl|sudo|psql|curl)\b/.test(c) }).toEqual({
          line: block.line,
          docker: false,
        });
      }
    }
  });

  test('the rule itself: a typo in a script name, an unmarked Docker command and a package .ci/run lacks are caught', () => {
    const fake = [
      '```sh',
      'DATABASE_URL=postgresql://x@y/z npm run db:migrat',
      'docker compose up',
      'apt-get install -y postgresql-16',
      'npm run db:seed -- --pack all   # fine',
      '```',
    ].join('\n');
    const [block] = shellBlocks(fake);
    expect(commands(block).map(notRun)).toEqual([
      'npm run db:migrat: no such script in package.json',
      '"docker compose up" is neither an npm script nor in .ci/run',
      '.ci/run does not install postgresql-16',
      null,
    ]);
  });

  test('the README links the architecture page and the runbook, and both exist', () => {
    for (const doc of ['docs/architecture.md', 'docs/runbook.md']) {
      expect(readme).toContain(`](${doc})`);
      expect(existsSync(join(REPO_ROOT, doc))).toBe(true);
    }
  });
});

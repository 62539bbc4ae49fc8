// NAME_FILE variants of the service's secret-bearing variables, the Docker (and systemd credentials)
// convention: NAME_FILE names a file whose content is the value. Problems name the variable and the file,
// never the value.
import { readFileSync } from 'node:fs';

/** Variables that may instead be given as NAME_FILE. */
export const FILE_VARIABLES = ['DATABASE_URL', 'DATABASE_PASSWORD', 'READ_SECRET', 'ADMIN_SECRET'] as const;

type Env = Record<string, string | number | boolean | undefined>;

const isSet = (v: unknown): boolean => v !== undefined && v !== '';

/**
 * Replaces each NAME_FILE by NAME holding the file's content, its one final newline dropped (files written by
 * `echo` or an editor end with one that is not part of the value). Setting both NAME and NAME_FILE is a problem.
 */
export function readFileVariables(
  env: Env,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8')
): { env: Env; problems: Map<string, string> } {
  const out: Env = { ...env };
  const problems = new Map<string, string>();
  for (const name of FILE_VARIABLES) {
    const fileVar = `${name}_FILE`;
    const path = env[fileVar];
    delete out[fileVar];
    if (!isSet(path)) {
      continue;
    }
    if (isSet(env[name])) {
      problems.set(name, `${name} and ${fileVar} are both set: give one of them`);
      continue;
    }
    try {
      const value = read(String(path)).replace(/\r?\n$/, '');
      if (value === '') {
        problems.set(name, `${fileVar}: ${path} is empty`);
      } else {
        out[name] = value;
      }
    } catch (err) {
      problems.set(name, `${fileVar}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }
  return { env: out, problems };
}

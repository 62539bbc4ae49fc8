// A password from NAME or, Docker-secret style, from the file NAME_FILE names. Problems are returned as
// sentences that name the variable (and the file), never the value.
import { readFileSync } from 'node:fs';

export const MIN_PASSWORD_LENGTH = 12;

export type SecretResult = { ok: true; value: string } | { ok: false; problem: string };

export function readSecret(name: string, env: NodeJS.ProcessEnv): SecretResult {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct && file) {
    return { ok: false, problem: `set ${name} or ${name}_FILE, not both` };
  }
  let value: string;
  if (file) {
    try {
      // Files written by `echo` or an editor end with a newline that is not part of the password.
      value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      return { ok: false, problem: `${name}_FILE: cannot read ${file} (${code})` };
    }
  } else if (direct) {
    value = direct;
  } else {
    return { ok: false, problem: `${name} (or ${name}_FILE) is not set` };
  }
  if (value.length < MIN_PASSWORD_LENGTH) {
    return {
      ok: false,
      problem: `${file ? `${name}_FILE (${file})` : name} holds a password shorter than ${MIN_PASSWORD_LENGTH} characters`,
    };
  }
  return { ok: true, value };
}

// The run a control is following, kept in localStorage so that a reload (or a second tab) resumes
// polling it instead of losing sight of a refresh that is still running on the server.
const PREFIX = 'matviewops:run:';
// A run older than this is not resumed: its outcome is in the view's history anyway.
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

interface Remembered {
  runId: number;
  at: number;
}

export function rememberRun(key: string, runId: number): void {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify({ runId, at: Date.now() } satisfies Remembered));
  } catch {
    // Storage full or disabled (private mode): the run still proceeds, only reload-resume is lost.
  }
}

export function recallRun(key: string): number | undefined {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    const r = raw ? (JSON.parse(raw) as Partial<Remembered>) : undefined;
    if (r && Number.isSafeInteger(r.runId) && typeof r.at === 'number' && Date.now() - r.at < MAX_AGE_MS) {
      return r.runId;
    }
  } catch {
    // Unreadable entry: treat as nothing remembered.
  }
  forgetRun(key);
  return undefined;
}

export function forgetRun(key: string): void {
  try {
    localStorage.removeItem(PREFIX + key);
  } catch {
    // Nothing to do without storage.
  }
}

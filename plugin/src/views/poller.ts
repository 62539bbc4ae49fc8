// Repeats a task, counting the interval from the end of the previous run so a slow service never
// gets two requests at once. Idle while the document is hidden; runs at once when it shows again.
export interface Poller {
  /** Run now, or right after the run in flight (its answer may predate what the caller knows). */
  runNow(): void;
  /** 0 stops repeating; the next run is counted from now. */
  setIntervalMs(ms: number): void;
  stop(): void;
}

export function startPoller(task: () => Promise<void>, intervalMs: number, doc: Document = document): Poller {
  let every = intervalMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  let stopped = false;

  const clear = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const schedule = () => {
    clear();
    if (!stopped && every > 0 && !doc.hidden) {
      timer = setTimeout(run, every);
    }
  };
  async function run() {
    clear();
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await task();
    } catch {
      // The task reports its own failures; a throw must not end the polling.
    } finally {
      running = false;
      if (!stopped) {
        if (again) {
          again = false;
          void run();
        } else {
          schedule();
        }
      }
    }
  }
  const onVisibility = () => {
    if (doc.hidden) {
      clear();
    } else if (every > 0 && !running) {
      void run();
    }
  };

  doc.addEventListener('visibilitychange', onVisibility);
  void run();
  return {
    runNow: () => void run(),
    setIntervalMs(ms) {
      every = ms;
      if (!running) {
        schedule();
      }
    },
    stop() {
      stopped = true;
      clear();
      doc.removeEventListener('visibilitychange', onVisibility);
    },
  };
}

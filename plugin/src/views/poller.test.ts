import { deferred } from '../testing/views';
import { startPoller } from './poller';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('startPoller', () => {
  it('runs once more after the run in flight when asked to run now, never two at once', async () => {
    const answers = [deferred<void>(), deferred<void>()];
    let calls = 0;
    let inFlight = 0;
    let most = 0;
    const poller = startPoller(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await answers[calls++]?.promise;
      inFlight -= 1;
    }, 30_000);

    poller.runNow();
    poller.runNow();
    expect(calls).toBe(1);

    answers[0].resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    answers[1].resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    expect(most).toBe(1);
    poller.stop();
  });

  it('keeps polling after a task that throws', async () => {
    const task = jest.fn().mockRejectedValue(new Error('down'));
    const poller = startPoller(task, 1000);

    await jest.advanceTimersByTimeAsync(2000);

    expect(task).toHaveBeenCalledTimes(3);
    poller.stop();
  });

  it('runs nothing more once stopped', async () => {
    const task = jest.fn().mockResolvedValue(undefined);
    const poller = startPoller(task, 1000);
    await jest.advanceTimersByTimeAsync(0);

    poller.stop();
    await jest.advanceTimersByTimeAsync(10_000);

    expect(task).toHaveBeenCalledTimes(1);
  });
});

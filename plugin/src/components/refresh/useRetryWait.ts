// Seconds left before a request refused with Retry-After may be made again; counts down to 0.
import { useEffect, useState } from 'react';

export function useRetryWait(retryAfter: number | undefined): number {
  const [left, setLeft] = useState(0);
  useEffect(() => {
    if (!retryAfter || retryAfter <= 0) {
      setLeft(0);
      return;
    }
    const until = Date.now() + retryAfter * 1000;
    setLeft(retryAfter);
    const timer = setInterval(() => {
      const s = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      setLeft(s);
      if (s === 0) {
        clearInterval(timer);
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [retryAfter]);
  return left;
}

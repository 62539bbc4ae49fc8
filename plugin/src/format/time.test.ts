import { formatAbsolute, formatLag, formatRelative } from './time';

describe('formatLag', () => {
  it.each([
    [0, '0 s'],
    [42.4, '42 s'],
    [12 * 60 + 30, '12 min'],
    [3 * 3600, '3 h'],
    [3 * 3600 + 4 * 60, '3 h 4 min'],
    [2 * 86_400 + 3 * 3600, '2 d 3 h'],
  ])('shows %p s behind as %p', (seconds, text) => {
    expect(formatLag(seconds)).toBe(text);
  });

  it('shows a dash when the lag is unknown', () => {
    expect(formatLag(null)).toBe('—');
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it.each([
    ['2024-05-01T11:59:30Z', 'just now'],
    ['2024-05-01T11:55:00Z', '5 min ago'],
    ['2024-05-01T09:00:00Z', '3 h ago'],
    ['2024-04-29T12:00:00Z', '2 d ago'],
    ['2024-05-01T12:05:00Z', 'in 5 min'],
  ])('shows %p as %p at noon', (iso, text) => {
    expect(formatRelative(iso, now)).toBe(text);
  });

  it('shows a dash for no moment or an unreadable one', () => {
    expect(formatRelative(null, now)).toBe('—');
    expect(formatRelative('not a date', now)).toBe('—');
  });
});

describe('formatAbsolute', () => {
  it('shows date and time to the second in the given time zone', () => {
    expect(formatAbsolute('2024-05-01T10:20:30.456Z', 'utc')).toBe('2024-05-01 10:20:30');
  });

  it('shows a dash for no moment', () => {
    expect(formatAbsolute(null)).toBe('—');
  });
});

import { formatBytes, formatCount, formatDuration } from './numbers';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [849.6, '850 ms'],
    [4200, '4.2 s'],
    [42_400, '42 s'],
    [185_000, '3 min 5 s'],
    [7_800_000, '2 h 10 min'],
  ])('shows %p ms as %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows a dash, not 0 ms, for a duration never measured', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
  });
});

describe('formatCount', () => {
  it('groups thousands the same way in every locale', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(null)).toBe('—');
  });
});

describe('formatBytes', () => {
  it.each([
    [512, '512 B'],
    [8192, '8.0 KiB'],
    [123_456_789, '118 MiB'],
    [5 * 1024 ** 4, '5.0 TiB'],
  ])('shows %p bytes in binary units as %p', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('shows a dash for an unknown size', () => {
    expect(formatBytes(null)).toBe('—');
  });
});

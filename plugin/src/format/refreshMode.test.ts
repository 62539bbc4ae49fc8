import {
  formatKeys,
  refreshModeDescription,
  refreshModeLook,
  refreshTypeDescription,
  refreshTypeText,
  ZERO_LAG_LOOK,
} from './refreshMode';

describe('refreshTypeText', () => {
  it.each([
    ['full', null, 'Full'],
    ['incremental', 3, 'Incremental · 3 keys'],
    ['incremental', 1, 'Incremental · 1 key'],
    ['incremental', 0, 'Incremental · 0 keys'],
    ['incremental', 1234, 'Incremental · 1,234 keys'],
    ['incremental', null, 'Incremental'],
    [null, null, '—'],
  ] as const)('%p with %p keys reads %p', (type, keys, text) => {
    expect(refreshTypeText(type, keys)).toBe(text);
  });

  it('shows a type it does not know under its own name', () => {
    expect(refreshTypeText('partial', null)).toBe('partial');
  });
});

describe('refreshTypeDescription', () => {
  it('says the keys are business dates, and that 0 keys means nothing had changed', () => {
    expect(refreshTypeDescription({ refreshType: 'incremental', keyCount: 2 })).toMatch(/2 keys \(business dates\)/);
    expect(refreshTypeDescription({ refreshType: 'incremental', keyCount: 0 })).toMatch(/no business date had changed/);
    expect(refreshTypeDescription({ refreshType: 'full', keyCount: null })).toMatch(/whole view/);
    expect(refreshTypeDescription({ refreshType: null, keyCount: null })).toBeUndefined();
  });
});

describe('refresh mode and zero lag', () => {
  it('labels the modes, and an unknown one under its own name', () => {
    expect(refreshModeLook('incremental').label).toBe('Incremental');
    expect(refreshModeLook('full').label).toBe('Full');
    expect(refreshModeLook('hybrid')).toMatchObject({ label: 'hybrid', color: 'darkgrey' });
  });

  it("adds what the last refresh did to the mode's explanation", () => {
    const text = refreshModeDescription({
      refreshMode: 'incremental',
      lastRefreshType: 'incremental',
      lastKeyCount: 3,
    });
    expect(text).toMatch(/only the business dates that changed/);
    expect(text).toMatch(/Last refresh: Incremental · 3 keys\.$/);
    expect(refreshModeDescription({ refreshMode: 'full', lastRefreshType: null, lastKeyCount: null })).toBe(
      'Every refresh recomputes the whole view.'
    );
  });

  it("says today's figures are live and the state concerns the stored rows", () => {
    expect(ZERO_LAG_LOOK.label).toBe('Today live');
    expect(ZERO_LAG_LOOK.description).toMatch(/as of the last refresh/);
    expect(ZERO_LAG_LOOK.description).toMatch(/read live .* report functions/);
    expect(ZERO_LAG_LOOK.description).toMatch(/earlier days/);
  });

  it('counts keys', () => {
    expect(formatKeys(1)).toBe('1 key');
    expect(formatKeys(31)).toBe('31 keys');
  });
});

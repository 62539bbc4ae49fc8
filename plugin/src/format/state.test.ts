import { attemptStatusLook, VIEW_STATES, viewStateLook } from './state';

describe('viewStateLook', () => {
  it.each([
    ['fresh', 'green', undefined],
    ['warn', 'orange', undefined],
    ['stale', 'red', undefined],
    ['failing', 'red', 'exclamation-triangle'],
    ['never_refreshed', 'orange', 'question-circle'],
    ['paused', 'darkgrey', 'pause'],
  ])('gives %p the colour %p and icon %p', (state, color, icon) => {
    const look = viewStateLook(state);
    expect(look.color).toBe(color);
    expect(look.icon).toBe(icon);
  });

  it('tells failing from stale by its icon, not only by colour', () => {
    expect(viewStateLook('failing').icon).toBeDefined();
    expect(viewStateLook('stale').icon).toBeUndefined();
  });

  it('shows a state it does not know under its own name in grey', () => {
    expect(viewStateLook('archived')).toMatchObject({ label: 'archived', color: 'darkgrey' });
  });

  it('lists every state once for the filter', () => {
    expect(new Set(VIEW_STATES).size).toBe(6);
  });
});

describe('attemptStatusLook', () => {
  it('shows succeeded green and failed red with an icon', () => {
    expect(attemptStatusLook('succeeded')).toMatchObject({ label: 'Succeeded', color: 'green' });
    expect(attemptStatusLook('failed')).toMatchObject({ color: 'red', icon: 'exclamation-triangle' });
  });
});

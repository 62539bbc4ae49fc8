import { parseRequester } from './requester';

describe('parseRequester', () => {
  it('takes a name without the suffix as verified', () => {
    expect(parseRequester('alice')).toEqual({ name: 'alice', verified: true });
  });

  it('takes the "(unverified)" suffix off and says the name is unverified', () => {
    expect(parseRequester('bob (unverified)')).toEqual({ name: 'bob', verified: false });
    expect(parseRequester('unknown (unverified)')).toEqual({ name: 'unknown', verified: false });
  });

  it('answers null when nobody asked (scheduled attempts)', () => {
    expect(parseRequester(null)).toBeNull();
  });
});

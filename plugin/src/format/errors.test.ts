import { splitLastError } from './errors';

describe('splitLastError', () => {
  it('splits "SQLSTATE: message" as mv_ops.freshness writes it', () => {
    expect(splitLastError('57014: canceling statement due to statement timeout')).toEqual({
      sqlstate: '57014',
      message: 'canceling statement due to statement timeout',
    });
  });

  it('keeps colons inside the message', () => {
    expect(splitLastError('XX000: abandoned: the session ended')).toEqual({
      sqlstate: 'XX000',
      message: 'abandoned: the session ended',
    });
  });

  it('reads a message without a code as a message', () => {
    expect(splitLastError('abandoned: the session running this refresh ended')).toEqual({
      sqlstate: null,
      message: 'abandoned: the session running this refresh ended',
    });
  });

  it('reads a bare code, which concat_ws leaves when the message is null', () => {
    expect(splitLastError('40P01')).toEqual({ sqlstate: '40P01', message: '' });
  });

  it('answers null when there is no error', () => {
    expect(splitLastError(null)).toBeNull();
  });
});

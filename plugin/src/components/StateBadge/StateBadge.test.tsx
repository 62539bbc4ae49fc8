import React from 'react';
import { render, screen } from '@testing-library/react';
import { AttemptBadge } from './AttemptBadge';
import { StateBadge } from './StateBadge';

describe('StateBadge', () => {
  it('names the state in words, not only in colour', () => {
    render(<StateBadge state="never_refreshed" data-testid="badge" />);

    expect(screen.getByTestId('badge')).toHaveTextContent('Never refreshed');
  });
});

describe('AttemptBadge', () => {
  it('names the attempt status', () => {
    render(<AttemptBadge status="failed" data-testid="badge" />);

    expect(screen.getByTestId('badge')).toHaveTextContent('Failed');
  });
});

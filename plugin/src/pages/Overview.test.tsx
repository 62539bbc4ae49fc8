import React from 'react';
import { render, screen } from '@testing-library/react';
import { testIds } from '../components/testIds';
import Overview from './Overview';

describe('Overview page', () => {
  it('renders the placeholder inside its test id', () => {
    render(<Overview />);

    const container = screen.getByTestId(testIds.overview.container);
    expect(container).toBeInTheDocument();
    expect(container).toHaveTextContent('The refresh status page arrives in a later issue.');
  });
});

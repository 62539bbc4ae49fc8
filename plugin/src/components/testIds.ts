// The one place for data-testid values, shared by Jest (plugin/src) and Playwright (test/e2e)
// so a renamed id breaks both suites at compile time instead of silently.
export const testIds = {
  overview: {
    container: 'data-testid overview-container',
  },
};

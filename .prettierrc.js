module.exports = {
  // Prettier configuration provided by Grafana scaffolding
  ...require('./plugin/.config/.prettierrc.js'),
};

// Mocha configuration. The whole suite runs when no test file is named; naming files
// (`npx mocha test/web/login.test.ts`) runs just those — with a fixed `spec` here mocha would
// add the named files to the whole suite instead.
const namedFiles = process.argv.slice(2).some((arg) => /\.test\.ts$/.test(arg));

module.exports = {
  'node-option': ['import=tsx'],
  ...(namedFiles ? {} : { spec: ['test/**/*.test.ts'] }),
  timeout: 30000,
  exit: true,
};

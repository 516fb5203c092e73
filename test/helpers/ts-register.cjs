// Lets a test start a TypeScript entry point as a real child process without a build:
// `node -r ./test/helpers/ts-register.cjs worker/main.ts`. Each .ts module is transpiled as it is
// required (types are stripped, not checked: `npx tsc -p tsconfig.json --noEmit` checks them).
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true };

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions });
  module._compile(outputText, filename);
};

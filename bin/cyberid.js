#!/usr/bin/env node
// The `cyberid` operator CLI. In a checkout (tsx installed) it runs the TypeScript sources, so
// it can never run a stale build; in a production install (dependencies only) it runs the
// compiled dist/ produced by `npm run build`.
import { existsSync } from 'node:fs';

let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch {
  tsx = undefined;
}
if (tsx) {
  tsx.register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
} else {
  const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
  if (!existsSync(compiled)) {
    process.stderr.write('cyberid: no compiled CLI found; run `npm run build` first\n');
    process.exit(1);
  }
  await import(compiled.href);
}

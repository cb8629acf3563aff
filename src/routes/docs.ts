// Serves the public documents that discovery points to (service_documentation, op_policy_uri)
// and their companions, as Markdown text.
import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

const PUBLIC_DOCS = ['integration', 'privacy', 'claims', 'cyberspace-id-format', 'sandbox'];

export function createDocsRouter(): Router {
  const router = new Router({ prefix: '/docs' });
  const documents = new Map(PUBLIC_DOCS.map((name) => [name, readFileSync(path.join(PROJECT_ROOT, 'docs', `${name}.md`))]));
  router.get('/:name', (ctx) => {
    const document = documents.get(ctx.params.name!);
    if (!document) return;
    ctx.type = 'text/markdown; charset=utf-8';
    ctx.set('cache-control', 'public, max-age=3600');
    ctx.body = document;
  });
  return router;
}

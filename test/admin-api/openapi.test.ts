// The admin API's OpenAPI 3.1 document against the implementation: every route the admin API's
// routers register is documented with its method and every documented one is registered; the
// provider serves the document; every example in it is valid against its own schema; and each
// operation's documented role is the one the operations layer demands.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createOpenApiValidator, openApiDoc } from '../support/openapi.js';
import { ADMIN_API_PREFIX, OPENAPI_FILE, createAdminApi } from '../../src/routes/admin-api/index.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('admin API: the OpenAPI document', function () {
  this.timeout(60000);
  let app: TestApp;
  const doc = openApiDoc();

  before(async () => {
    app = await startTestApp();
  });
  after(async () => app?.stop());

  /** "METHOD /template" for every route the admin API registers (HEAD comes with GET). */
  function registeredRoutes(): string[] {
    const { config, operators, ephemeral, logger } = app.container;
    const api = createAdminApi({ operators, store: ephemeral, logger, issuer: config.issuer, limits: config.operators });
    const routes = new Set<string>();
    for (const router of api.routers) {
      for (const layer of router.stack) {
        if (layer.methods.length === 0) continue; // router.use() middleware, not a route
        assert.equal(typeof layer.path, 'string');
        const path = String(layer.path);
        assert.ok(path.startsWith(ADMIN_API_PREFIX), `${path} is under ${ADMIN_API_PREFIX}`);
        const template = path.slice(ADMIN_API_PREFIX.length).replace(/:([A-Za-z]+)/g, '{$1}');
        for (const method of layer.methods) if (method !== 'HEAD') routes.add(`${method} ${template}`);
      }
    }
    return [...routes].sort();
  }

  const documentedRoutes = () =>
    Object.entries(doc.paths).flatMap(([template, operations]) => Object.keys(operations).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${template}`)).sort();

  it('documents every registered route and method, and registers every documented one', () => {
    const registered = registeredRoutes();
    assert.ok(registered.length >= 18, `found the routes (${registered.length})`);
    assert.deepEqual(registered, documentedRoutes());
  });

  it('is an OpenAPI 3.1 document, served by the provider as JSON', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const response = await fetch(`${app.url}${ADMIN_API_PREFIX}/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
  });

  it('has examples, each valid against its schema', () => {
    const examples = createOpenApiValidator(doc).examples();
    assert.ok(examples.length >= 10, `examples found: ${examples.length}`);
    for (const { where, problems } of examples) assert.deepEqual(problems, [], where);
  });

  it('catches a response that breaks its schema (the validator is not a pass-through)', () => {
    const validator = createOpenApiValidator(doc);
    assert.deepEqual(validator.check('POST', `${ADMIN_API_PREFIX}/citizens/state`, 200, 'application/json', { cyberspace_id: 'X', status: 'active', suspended_by: null }), []);
    assert.notDeepEqual(validator.check('POST', `${ADMIN_API_PREFIX}/citizens/state`, 200, 'application/json', { cyberspace_id: 'X', status: 'active', suspended_by: null, name: '张三' }), []);
    assert.notDeepEqual(validator.check('GET', `${ADMIN_API_PREFIX}/keys`, 200, 'application/problem+json', {}), []);
    assert.notDeepEqual(validator.check('GET', `${ADMIN_API_PREFIX}/keys`, 418, 'application/json', {}), []);
  });

  it('names for each route the operations it performs, with their role and sensitivity as the operations layer has them', () => {
    const catalogue = app.container.operators.operations.catalogue as Record<string, { role: string; sensitive: boolean }>;
    let checked = 0;
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const names = operation['x-operations'] as string[] | undefined;
        if (!names) {
          assert.ok(template === '/openapi.json' || template.startsWith('/session'), `${method} ${template} names its operations`);
          continue;
        }
        for (const name of names) {
          const spec = catalogue[name];
          assert.ok(spec, `${name} is an operation`);
          assert.equal(operation['x-role'], spec.role, `${method} ${template}: ${name}'s role`);
          assert.equal(operation['x-sensitive'] === true, spec.sensitive, `${method} ${template}: ${name}'s sensitivity`);
          checked += 1;
        }
      }
    }
    assert.ok(checked >= 15);
  });
});

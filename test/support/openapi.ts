// The admin API's OpenAPI document as a validator: the documented schema of a response (by
// method, the concrete path matched against the documented templates, status and media type),
// checked with ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect).
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { OPENAPI_FILE } from '../../src/routes/admin-api/index.js';

export type OpenApiDoc = {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject>; requestBody?: unknown; [key: string]: unknown }>>;
  components: { responses: Record<string, ResponseObject>; schemas: Record<string, unknown> };
  [key: string]: unknown;
};
type ResponseObject = { $ref?: string; description?: string; content?: Record<string, { schema?: unknown; example?: unknown }>; headers?: unknown };

export const openApiDoc = (): OpenApiDoc => JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

export function createOpenApiValidator(doc: OpenApiDoc, prefix = '/api/admin/v1') {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);
  ajv.addSchema(doc as object, 'admin-v1');
  const compiled = new Map<string, ValidateFunction>();
  const validatorAt = (location: string) => {
    let validate = compiled.get(location);
    if (!validate) compiled.set(location, (validate = ajv.compile({ $ref: `admin-v1#/${location}` })));
    return validate;
  };

  /** The documented template for a concrete path, e.g. /isps/{clientId} for /isps/shop. */
  function templateOf(path: string): string | undefined {
    const bare = path.split('?')[0]!;
    const local = bare.startsWith(prefix) ? bare.slice(prefix.length) : bare;
    return Object.keys(doc.paths).find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(local));
  }

  /** Where a documented response is (following a $ref to components/responses), or a reason it is not documented. */
  function responseAt(method: string, template: string, status: number): { location: string; response: ResponseObject } | string {
    const operation = doc.paths[template]?.[method.toLowerCase()];
    if (!operation) return `${method} ${template} is not documented`;
    const response = operation.responses[String(status)];
    if (!response) return `${method} ${template} does not document status ${status}`;
    if (response.$ref) {
      const name = response.$ref.replace('#/components/responses/', '');
      return { location: pointer('components', 'responses', name), response: doc.components.responses[name]! };
    }
    return { location: pointer('paths', template, method.toLowerCase(), 'responses', String(status)), response };
  }

  return {
    templateOf,
    /** Problems with a response against the document; empty when it conforms. */
    check(method: string, path: string, status: number, contentType: string | undefined, body: unknown): string[] {
      const template = templateOf(path);
      if (!template) return [`${path} matches no documented path`];
      const found = responseAt(method, template, status);
      if (typeof found === 'string') return [found];
      const content = found.response.content;
      if (!content) return body === undefined || body === '' || (typeof body === 'object' && body !== null && Object.keys(body).length === 0) ? [] : [`${method} ${template} ${status} documents no body`];
      const type = (contentType ?? '').split(';')[0]!.trim();
      if (!content[type]) return [`${method} ${template} ${status}: content type ${type || '(none)'} is not documented (${Object.keys(content).join(', ')})`];
      const validate = validatorAt(`${found.location}/${pointer('content', type, 'schema')}`);
      return validate(body) ? [] : (validate.errors ?? []).map((e) => `${method} ${template} ${status}: ${e.instancePath || 'body'} ${e.message}`);
    },
    /** Every example in the document, with the problems validating it against its schema. */
    examples(): Array<{ where: string; problems: string[] }> {
      const found: Array<{ where: string; problems: string[] }> = [];
      const visit = (location: string, responses: Record<string, ResponseObject>) => {
        for (const [status, response] of Object.entries(responses)) {
          for (const [type, media] of Object.entries(response.content ?? {})) {
            if (media.example === undefined) continue;
            const at = `${location}/${pointer(status, 'content', type)}`;
            const validate = validatorAt(`${at}/schema`);
            found.push({ where: at, problems: validate(media.example) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) });
          }
        }
      };
      for (const [template, operations] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(operations)) visit(pointer('paths', template, method, 'responses'), operation.responses);
      }
      visit(pointer('components', 'responses'), doc.components.responses);
      return found;
    },
  };
}

export type OpenApiValidator = ReturnType<typeof createOpenApiValidator>;

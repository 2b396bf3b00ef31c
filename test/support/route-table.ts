import type { TestApp } from './test-app';

/** An OpenAPI schema as @nestjs/swagger writes it (the parts the generated tests read). */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  example?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  nullable?: boolean;
  allOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

/** One route of the running app, as its Swagger document describes it. */
export interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI template: `/api/users/{id}`. */
  path: string;
  /** `GET /api/users/{id}`, as the policy tables name it. */
  key: string;
  parameters: Parameter[];
  /** The JSON body's schema (resolved), when the route reads JSON. */
  jsonBody: Schema | null;
  /** Media types of the body the route documents. */
  consumes: string[];
  /** The route documents a bearer token (every route but the public ones). */
  bearer: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> }; security?: unknown[] }>>;
  components: { schemas: Record<string, Schema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * Every route the running app serves, read from its own Swagger document (GET /api/docs-json):
 * a controller added by anyone is in it, so the generated tests cover it without being told.
 */
export async function liveRoutes(app: TestApp): Promise<{ routes: Route[]; resolve: (schema: Schema) => Schema }> {
  const document = (await app.http().get('/api/docs-json').expect(200)).body as OpenApiDocument;
  const resolve = (schema: Schema): Schema => {
    if (schema.$ref) return resolve(document.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  };
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = operations[method];
      if (!operation) continue;
      const content = operation.requestBody?.content ?? {};
      routes.push({
        method,
        path,
        key: `${method.toUpperCase()} ${path}`,
        parameters: operation.parameters ?? [],
        jsonBody: content['application/json'] ? resolve(content['application/json'].schema) : null,
        consumes: Object.keys(content),
        bearer: (operation.security ?? []).some((entry) => Object.keys(entry as object).includes('bearer')),
      });
    }
  }
  return { routes, resolve };
}

/** The route's path with its parameters filled in (`{id}` -> the given value, URL-encoded unless raw). */
export function fillPath(route: Route, values: Record<string, string>, raw = false): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => (raw ? values[name] : encodeURIComponent(values[name])));
}

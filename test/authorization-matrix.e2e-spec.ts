import type { UserRole } from '@app/contracts';
import { fillPath, liveRoutes, type Route } from './support/route-table';
import { createUser, loginAdmin, startTestApp, type TestApp } from './support/test-app';
import { uniqueName } from './support/test-database';

const ALL: UserRole[] = ['operator', 'supervisor', 'admin'];
const STAFF: UserRole[] = ['supervisor', 'admin'];
const ADMIN: UserRole[] = ['admin'];
/** Open without a token (the route checks whatever else it needs itself). */
const PUBLIC = 'public';

/**
 * Who may call each route: the reviewed policy. A route of the running app that is missing
 * here is still tested (no token: 401; every role: allowed or 403 FORBIDDEN; never a 5xx),
 * and an entry for a route that no longer exists fails, so the table cannot rot.
 */
const POLICY: Record<string, UserRole[] | typeof PUBLIC> = {
  'POST /api/auth/login': PUBLIC,
  'POST /api/auth/logout': ALL,
  'GET /api/auth/me': ALL,
  'GET /api/users': STAFF,
  'POST /api/users': ADMIN,
  'GET /api/users/directory': ALL,
  'GET /api/users/{id}': STAFF,
  'PATCH /api/users/{id}': ADMIN,
  'DELETE /api/users/{id}': ADMIN,
  'GET /api/companies': ALL,
  'POST /api/companies': STAFF,
  'GET /api/companies/lookup': ALL,
  'GET /api/companies/{id}': ALL,
  'PATCH /api/companies/{id}': STAFF,
  'DELETE /api/companies/{id}': STAFF,
  'POST /api/companies/import': STAFF,
  'GET /api/health': PUBLIC,
  // Readiness for load balancers and probes: states and counts, no secrets, hosts or numbers.
  'GET /api/ready': PUBLIC,
  // Prometheus: no user's JWT; METRICS_TOKEN when set (unset in this test), checked by the route itself.
  'GET /metrics': PUBLIC,
  'GET /api/meta': PUBLIC,
  'GET /api/calls': ALL,
  'GET /api/calls/export.csv': ALL,
  'GET /api/calls/active': ALL,
  'GET /api/calls/{id}': ALL,
  'GET /api/recordings': ALL,
  'GET /api/recordings/{id}': ALL,
  'PATCH /api/recordings/{id}': STAFF,
  'GET /api/recordings/{id}/url': ALL,
  // A bearer token or the uid/exp/sig of a signed URL (checked by the route itself): without either, 401.
  'GET /api/recordings/{id}/stream': ALL,
  'POST /api/calls/simulate': STAFF,
  'POST /api/calls/simulate/{id}/answer': STAFF,
  'POST /api/calls/simulate/{id}/hangup': STAFF,
  'GET /api/stats': ALL,
  // Call control: every role may ask; whether this user may control this call is CallAccess's answer (not a role's).
  'POST /api/calls/originate': ALL,
  'POST /api/calls/{id}/transfer': ALL,
  'POST /api/calls/{id}/transfer/complete': ALL,
  'POST /api/calls/{id}/transfer/cancel': ALL,
  'POST /api/calls/{id}/hold': ALL,
  'POST /api/calls/{id}/unhold': ALL,
  'POST /api/calls/{id}/hangup': ALL,
  'POST /api/calls/{id}/recording': ALL,
  'POST /api/agents/me/pause': ALL,
};

/** Ids no record has: an allowed caller gets as far as a 404 (or a 400 for the body), never a change. */
const MISSING_ID = '2147483000';

type Caller = UserRole | 'no token';

describe('authorization matrix: every route of the running app x every role x no token', () => {
  let testApp: TestApp;
  let routes: Route[];
  const tokens = new Map<UserRole, string>();

  beforeAll(async () => {
    testApp = await startTestApp({ TEST_MODE: 'true', LOGIN_RATE_LIMIT_PER_IP: '1000' });
    const adminToken = await loginAdmin(testApp);
    tokens.set('admin', adminToken);
    for (const role of ['operator', 'supervisor'] as const) tokens.set(role, (await createUser(testApp, adminToken, { username: uniqueName(role), role })).token);
    // Logging out revokes the caller's tokens: it goes last.
    routes = (await liveRoutes(testApp)).routes.sort((a, b) => Number(a.key === 'POST /api/auth/logout') - Number(b.key === 'POST /api/auth/logout'));
  });

  afterAll(() => testApp?.close());

  const send = (route: Route, caller: Caller) => {
    const values = Object.fromEntries(route.parameters.filter((p) => p.in === 'path').map((p) => [p.name, MISSING_ID]));
    const request = testApp.http()[route.method](fillPath(route, values));
    if (caller !== 'no token') request.set('Authorization', `Bearer ${tokens.get(caller)}`);
    return route.jsonBody ? request.send({}) : request;
  };

  it('the policy names only routes that exist', async () => {
    const served = new Set(routes.map((route) => route.key));
    expect(Object.keys(POLICY).filter((key) => !served.has(key))).toEqual([]);
  });

  it('answers every route for every caller as the policy says, and never with a 5xx', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const policy = POLICY[route.key];
      for (const caller of ['no token', ...ALL] as Caller[]) {
        const response = await send(route, caller);
        const { status } = response;
        const code = (response.body as { error?: string } | undefined)?.error;
        const roleDenied = status === 403 && code === 'FORBIDDEN';
        let expected: string;
        let ok: boolean;
        if (caller === 'no token') {
          const open = policy === PUBLIC || (policy === undefined && !route.bearer);
          expected = open ? 'anything but 401 (public)' : '401 UNAUTHORIZED';
          ok = open ? status !== 401 && !roleDenied : status === 401 && code === 'UNAUTHORIZED';
        } else if (policy === undefined) {
          expected = 'allowed, or 403 FORBIDDEN (not in the policy table)';
          ok = status !== 401;
        } else if (policy === PUBLIC || policy.includes(caller)) {
          expected = 'allowed (not 401, not 403 FORBIDDEN)';
          ok = status !== 401 && !roleDenied;
        } else {
          expected = '403 FORBIDDEN';
          ok = roleDenied;
        }
        if (!ok || status >= 500) wrong.push(`${route.key} as ${caller}: ${status} ${code ?? ''}, expected ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(POLICY).length);
  });
});

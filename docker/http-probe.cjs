#!/usr/bin/env node
// The container healthcheck: GET <path> on this container's METRICS_PORT (the asterisk role's only
// HTTP port) or else PORT, and exit 0 on a 2xx answer within 4 s, 1 otherwise. What it printed is
// kept by Docker (docker inspect --format '{{json .State.Health}}'), so the reason shows there.
//   node http-probe.cjs /api/health   liveness (the image's HEALTHCHECK)
//   node http-probe.cjs /api/ready    readiness (the Compose services)
'use strict';

const path = process.argv[2];
if (!path || !path.startsWith('/')) {
  console.error('usage: node http-probe.cjs /api/health');
  process.exit(2);
}
const port = process.env.METRICS_PORT || process.env.PORT || '3000';
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) }).then(
  async (response) => {
    console.log(`${response.status} ${(await response.text()).slice(0, 500)}`);
    process.exit(response.ok ? 0 : 1);
  },
  (error) => {
    console.log(`no answer from port ${port}: ${error.message}`);
    process.exit(1);
  },
);

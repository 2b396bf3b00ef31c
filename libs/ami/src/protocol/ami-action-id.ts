import { randomBytes } from 'node:crypto';

/**
 * Unique ActionIDs: `<prefix>-<process random>-<counter>`. The counter is shared
 * by every generator in the process and the random part differs per process, so
 * two actions never share an id, however close in time they are sent (a
 * `Date.now()` id is what made asterisk-ami-client resolve one action with
 * another's response), and two CRM processes on one PBX never collide either.
 */
const PROCESS_TAG = randomBytes(4).toString('hex');
let counter = 0;

export function nextActionId(prefix = 'crm'): string {
  counter += 1;
  return `${prefix}-${PROCESS_TAG}-${counter}`;
}

import type { Capture } from './capture';

/** One recorded message, kept as the exact bytes Asterisk sent (latin1 string: one char per byte). */
export interface ScriptedMessage {
  text: string;
  /** ms since the recorded connect of the read that completed it. */
  ms: number;
  /** ActionID of a reply to an action the recording client sent (not the login's). */
  actionId: string | null;
  /** The action that reply answers, when its text gives it away (`coreshowchannels`), else null. */
  answers: string | null;
  /** +1 for `Event: Newchannel`, -1 for `Event: Hangup`: whether calls are up at this point. */
  channelDelta: number;
}

/** A capture cut into what a replay server sends: the greeting, then messages after the login reply. */
export interface CaptureScript {
  greeting: string;
  /** Recorded `ms` of the login response: the replay's time zero. */
  loginMs: number;
  messages: ScriptedMessage[];
  /** The recording client logged off (`Response: Goodbye`): the connection stays up at the end. Else it was cut. */
  loggedOff: boolean;
}

/** Recorded reply text -> the action it answers (lower case), for the actions the captures hold. */
const REPLY_OF: readonly [RegExp, string][] = [
  [/^Message: Channels will follow\r$/m, 'coreshowchannels'],
  [/^Message: Channel status will follow\r$/m, 'status'],
  [/^Message: Peer status list will follow\r$/m, 'sippeers'],
  [/^Message: Command output follows\r$/m, 'command'],
  [/^Ping: Pong\r$/m, 'ping'],
  [/^Message: (Dual )?Redirect successful\r$/m, 'redirect'],
  [/^Message: Channels have been bridged\r$/m, 'bridge'],
  [/^Message: Originate successfully queued\r$/m, 'originate'],
  [/^Message: Channel Hungup\r$/m, 'hangup'],
  [/^Variable: /m, 'getvar'],
];

export class CaptureScriptError extends Error {
  readonly code = 'CAPTURE_NOT_REPLAYABLE';
}

export function scriptCapture(capture: Capture): CaptureScript {
  const text = capture.bytes.toString('latin1');
  const eol = text.indexOf('\r\n');
  if (eol < 0 || text.slice(0, eol).includes(':')) throw new CaptureScriptError(`${capture.path}: no greeting line`);
  const ends = capture.chunks.map((c) => c.offset + c.length);
  const msOfByte = (offset: number): number => {
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] > offset) hi = mid;
      else lo = mid + 1;
    }
    return capture.chunks[lo].ms;
  };

  const messages: ScriptedMessage[] = [];
  let loginMs: number | null = null;
  let loggedOff = false;
  let pos = eol + 2;
  for (;;) {
    while (text.startsWith('\r\n', pos)) pos += 2;
    const end = text.indexOf('\r\n\r\n', pos);
    if (end < 0) break;
    const body = text.slice(pos, end + 4);
    const ms = msOfByte(end + 3);
    pos = end + 4;
    const response = body.startsWith('Response:');
    if (response && loginMs === null) {
      loginMs = ms;
      continue;
    }
    if (response && body.startsWith('Response: Goodbye\r\n')) {
      loggedOff = true;
      continue;
    }
    const actionId = /^ActionID: (.*)\r$/m.exec(body)?.[1] ?? null;
    messages.push({
      text: body,
      ms,
      actionId,
      answers: response ? (REPLY_OF.find(([re]) => re.test(body))?.[1] ?? null) : null,
      channelDelta: body.startsWith('Event: Newchannel\r\n') ? 1 : body.startsWith('Event: Hangup\r\n') ? -1 : 0,
    });
  }
  if (loginMs === null) throw new CaptureScriptError(`${capture.path}: no login response`);
  return { greeting: text.slice(0, eol + 2), loginMs, messages, loggedOff };
}

/** The same message with another ActionID (the replay client's instead of the recording client's); '' drops the line. */
export function withActionId(text: string, actionId: string): string {
  if (actionId === '') return text.replace(/^ActionID: .*\r\n/m, '');
  return text.replace(/^ActionID: .*\r$/m, () => `ActionID: ${actionId}\r`);
}

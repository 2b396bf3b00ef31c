/**
 * Every failure the AMI layer reports is an `AmiError` with a stable `code`, so
 * callers (and the server's HTTP error filter) branch on codes, never on text.
 * Messages never contain a secret or an action's values: only names and sizes.
 */
export type AmiErrorCode =
  | 'AMI_CONFIG_INVALID'
  | 'AMI_ACTION_INVALID'
  | 'AMI_ACTION_FAILED'
  | 'AMI_ACTION_TIMEOUT'
  | 'AMI_NOT_CONNECTED'
  | 'AMI_CONNECTION_LOST'
  | 'AMI_CONNECTION_CLOSED'
  | 'AMI_AUTH_FAILED'
  | 'AMI_LOGIN_TIMEOUT'
  | 'AMI_UNKNOWN_PBX';

export class AmiError extends Error {
  constructor(
    readonly code: AmiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `ASTERISK_SERVERS` / `ASTERISK_*` could not be read; `problems` lists every one. */
export class AmiConfigError extends AmiError {
  constructor(readonly problems: string[]) {
    super('AMI_CONFIG_INVALID', `invalid AMI configuration: ${problems.join('; ')}`);
  }
}

/** The action was refused before a single byte was sent (bad key, CR/LF/NUL, over-long line, missing field). */
export class AmiActionValidationError extends AmiError {
  constructor(
    readonly action: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super('AMI_ACTION_INVALID', `AMI action ${action || '(unnamed)'} refused: ${field} ${reason}`);
  }
}

/** Asterisk answered `Response: Error`; `asteriskMessage` is its `Message:` text. */
export class AmiActionError extends AmiError {
  constructor(
    readonly action: string,
    readonly actionId: string,
    readonly asteriskMessage: string,
  ) {
    super('AMI_ACTION_FAILED', `AMI ${action} failed: ${asteriskMessage || 'no message'}`);
  }
}

/** No complete answer within the action's timeout. For a non-idempotent action the outcome is unknown. */
export class AmiActionTimeoutError extends AmiError {
  constructor(
    readonly action: string,
    readonly actionId: string,
    readonly timeoutMs: number,
  ) {
    super('AMI_ACTION_TIMEOUT', `AMI ${action} (ActionID ${actionId}) got no complete answer within ${timeoutMs} ms: outcome unknown`);
  }
}

/** The action was not sent because the connection is not logged in. Nothing happened on the PBX. */
export class AmiNotConnectedError extends AmiError {
  constructor(
    readonly pbxId: string,
    readonly action: string,
  ) {
    super('AMI_NOT_CONNECTED', `AMI ${action} not sent: not connected to PBX ${pbxId}`);
  }
}

/**
 * The connection dropped after the action was written and before its answer arrived:
 * Asterisk may or may not have carried it out. Never re-send a non-idempotent action on this.
 */
export class AmiConnectionLostError extends AmiError {
  constructor(
    readonly pbxId: string,
    readonly action: string,
    readonly actionId: string,
  ) {
    super('AMI_CONNECTION_LOST', `connection to PBX ${pbxId} lost before the answer to ${action} (ActionID ${actionId}): outcome unknown`);
  }
}

/** The connection was closed on purpose (shutdown); pending actions end with this. */
export class AmiConnectionClosedError extends AmiError {
  constructor(readonly pbxId: string) {
    super('AMI_CONNECTION_CLOSED', `AMI connection to PBX ${pbxId} was closed`);
  }
}

/** Asterisk refused the login (`Response: Error`, `Message: Authentication failed`). */
export class AmiAuthenticationError extends AmiError {
  constructor(
    readonly pbxId: string,
    readonly username: string,
    readonly asteriskMessage: string,
  ) {
    super('AMI_AUTH_FAILED', `AMI login as ${username} to PBX ${pbxId} refused: ${asteriskMessage || 'no message'}`);
  }
}

/** No answer to `Login` in time (a firewall dropping packets, a wedged PBX, not an AMI port). */
export class AmiLoginTimeoutError extends AmiError {
  constructor(
    readonly pbxId: string,
    readonly timeoutMs: number,
  ) {
    super('AMI_LOGIN_TIMEOUT', `AMI login to PBX ${pbxId} got no answer within ${timeoutMs} ms`);
  }
}

/** No connection is configured for that PBX id. */
export class AmiUnknownPbxError extends AmiError {
  constructor(readonly pbxId: string) {
    super('AMI_UNKNOWN_PBX', `no AMI connection is configured for PBX ${pbxId}`);
  }
}

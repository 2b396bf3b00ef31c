// asterisk-ami-client 1.1.5 ships no types; only what the benchmark uses is declared.
declare module 'asterisk-ami-client' {
  import { EventEmitter } from 'node:events';

  interface AmiClientOptions {
    reconnect?: boolean;
    maxAttemptsCount?: number;
    attemptsDelay?: number;
    keepAlive?: boolean;
    keepAliveDelay?: number;
    emitEventsByTypes?: boolean;
    eventTypeToLowerCase?: boolean;
    emitResponsesById?: boolean;
    addTime?: boolean;
  }

  class AmiClient extends EventEmitter {
    constructor(options?: AmiClientOptions);
    connect(user: string, secret: string, options: { host: string; port: number }): Promise<unknown>;
    disconnect(): this;
    action(message: Record<string, string>, promisable?: boolean): this | Promise<Record<string, string>>;
  }

  export = AmiClient;
}

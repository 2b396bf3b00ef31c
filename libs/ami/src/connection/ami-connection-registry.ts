import { AmiActionGateway, AmiActionGatewayOptions } from '../actions/ami-action-gateway';
import { AmiUnknownPbxError } from '../protocol/ami-errors';
import { AmiConnection, AmiConnectionOptions, AmiLogger } from './ami-connection';
import { AmiServerConfig } from './ami-server-config';

export interface AmiConnectionRegistryOptions {
  servers: readonly AmiServerConfig[];
  /**
   * `Events:` for every login of this registry. Default `off`: the registry is how a
   * process sends actions; call tracking opens its own `Events: on` login per PBX.
   */
  events?: AmiConnectionOptions['events'];
  /** Timeouts, keepalive, backoff and TLS settings shared by all connections. */
  connection?: Omit<Partial<AmiConnectionOptions>, 'server' | 'events' | 'logger'>;
  gateway?: AmiActionGatewayOptions;
  logger?: AmiLogger;
}

/** One connection and one action gateway per configured PBX, started and closed together. */
export class AmiConnectionRegistry {
  private readonly entries = new Map<string, { connection: AmiConnection; gateway: AmiActionGateway }>();

  constructor(options: AmiConnectionRegistryOptions) {
    for (const server of options.servers) {
      const connection = new AmiConnection({ ...options.connection, server, events: options.events ?? 'off', logger: options.logger });
      this.entries.set(server.id, { connection, gateway: new AmiActionGateway(connection, options.gateway) });
    }
  }

  get pbxIds(): string[] {
    return [...this.entries.keys()];
  }

  has(pbxId: string): boolean {
    return this.entries.has(pbxId);
  }

  connection(pbxId: string): AmiConnection {
    return this.entry(pbxId).connection;
  }

  gateway(pbxId: string): AmiActionGateway {
    return this.entry(pbxId).gateway;
  }

  connections(): AmiConnection[] {
    return [...this.entries.values()].map((e) => e.connection);
  }

  start(): void {
    for (const { connection } of this.entries.values()) connection.start();
  }

  /** Resolves when every PBX is logged in; rejects with the first refusal or timeout. */
  async ready(timeoutMs?: number): Promise<void> {
    await Promise.all(this.connections().map((c) => c.ready(timeoutMs)));
  }

  async close(): Promise<void> {
    await Promise.all(this.connections().map((c) => c.close()));
  }

  private entry(pbxId: string) {
    const entry = this.entries.get(pbxId);
    if (!entry) throw new AmiUnknownPbxError(pbxId);
    return entry;
  }
}

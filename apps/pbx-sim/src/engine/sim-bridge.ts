import type { SimChannel } from './sim-channel';

/**
 * `dial`: formed by app_dial when the callee answers (the caller's Dial waits in it);
 * `basic`: formed by the AMI `Bridge` action (each member resumes its dialplan at its
 * "go on" position when the bridge breaks); `holding`: a parking lot.
 */
export type BridgeKind = 'dial' | 'basic' | 'holding';

export class SimBridge {
  readonly members: SimChannel[] = [];
  /** For `dial` bridges: the channel whose Dial (or Queue) waits in the bridge, and the leg it dialed. */
  dialer: SimChannel | null = null;
  dialee: SimChannel | null = null;
  destroyed = false;
  /** A queue call's bridge reports AgentComplete (once) when it ends. */
  queue: { name: string; member: string; interface: string; memberName: string; joinedAt: number; connectedAt: number; completed: boolean } | null = null;

  constructor(
    readonly uniqueid: string,
    readonly kind: BridgeKind,
  ) {}

  get type(): string {
    return this.kind === 'holding' ? 'holding' : 'basic';
  }

  get technology(): string {
    return this.kind === 'holding' ? 'holding_bridge' : 'simple_bridge';
  }

  get creator(): string {
    return this.kind === 'holding' ? 'Parking' : '<unknown>';
  }

  get bridgeName(): string {
    return this.kind === 'holding' ? 'Parking/default' : '<unknown>';
  }

  /** The other party of a two-party bridge. */
  peerOf(ch: SimChannel): SimChannel | undefined {
    return this.members.find((m) => m !== ch);
  }

  /** `BridgeUniqueid` ... `BridgeVideoSourceMode`, the prefix of every bridge event. */
  snapshot(prefix = 'Bridge'): { keys: string[]; values: string[] } {
    return {
      keys: [
        `${prefix}Uniqueid`,
        `${prefix}Type`,
        `${prefix}Technology`,
        `${prefix}Creator`,
        `${prefix}Name`,
        `${prefix}NumChannels`,
        `${prefix}VideoSourceMode`,
      ],
      values: [this.uniqueid, this.type, this.technology, this.creator, this.bridgeName, String(this.members.length), 'none'],
    };
  }
}

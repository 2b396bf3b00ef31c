/**
 * What a channel name says about the party behind it.
 *
 * - `extension`: a phone of ours (`SIP/1001-00000003`, `PJSIP/1001-0000000a`, `IAX2/1001-123`);
 * - `trunk`: a provider or any other SIP/PJSIP/IAX2/DAHDI peer (`SIP/provider-00000002`);
 * - `local`: one half of a `Local/...;1|;2` pair: never a person, never attributed to a user;
 * - `other`: everything else Asterisk makes (announcers, snoops, recorders): not a party.
 */
export type ChannelKind = 'extension' | 'trunk' | 'local' | 'other';

export interface ChannelParty {
  kind: ChannelKind;
  /** Peer name (`1001`, `provider`) for extensions and trunks, else null. */
  peer: string | null;
}

export interface ChannelClassifierOptions {
  /** Is this peer one of our extensions? Default: a name made of digits only. */
  isExtension?: (peer: string, tech: string) => boolean;
  /** Peers that are always trunks, even when their name is all digits. */
  trunks?: Iterable<string>;
}

const PHONE_TECHS: ReadonlySet<string> = new Set(['SIP', 'PJSIP', 'IAX2', 'DAHDI']);

/** How many Local pairs deep a chain is followed (FreePBX nests two; a looping dialplan must still end). */
export const MAX_LOCAL_DEPTH = 8;
const ALL_DIGITS = /^\d+$/;

export class ChannelClassifier {
  private readonly isExtension: (peer: string, tech: string) => boolean;
  private readonly trunks: ReadonlySet<string>;

  constructor(options: ChannelClassifierOptions = {}) {
    this.isExtension = options.isExtension ?? ((peer) => ALL_DIGITS.test(peer));
    this.trunks = new Set(options.trunks ?? []);
  }

  classify(channelName: string): ChannelParty {
    const slash = channelName.indexOf('/');
    if (slash <= 0) return { kind: 'other', peer: null };
    const tech = channelName.slice(0, slash);
    if (tech === 'Local') return { kind: 'local', peer: null };
    if (!PHONE_TECHS.has(tech)) return { kind: 'other', peer: null };
    const peer = peerOf(channelName, slash);
    if (peer === '') return { kind: 'other', peer: null };
    const extension = !this.trunks.has(peer) && this.isExtension(peer, tech);
    return { kind: extension ? 'extension' : 'trunk', peer };
  }

  /** The number-like party of a dial string: `provider/84951112233` -> `84951112233`, `1001@from-queue/n` -> `1001`. */
  static numberOfDialString(dialString: string): string {
    const at = dialString.indexOf('@');
    const head = at >= 0 ? dialString.slice(0, at) : dialString;
    const slash = head.lastIndexOf('/');
    return slash >= 0 ? head.slice(slash + 1) : head;
  }

  /** The other half of a Local pair (`...;1` <-> `...;2`), or null for any other name. */
  static localPartnerName(channelName: string): string | null {
    const n = channelName.length;
    if (n < 2 || channelName.charCodeAt(n - 2) !== 59 /* ; */) return null;
    const half = channelName.charCodeAt(n - 1);
    if (half === 49 /* 1 */) return channelName.slice(0, n - 1) + '2';
    if (half === 50 /* 2 */) return channelName.slice(0, n - 1) + '1';
    return null;
  }
}

/** `SIP/provider-0000000b` -> `provider`; the suffix after the last `-` is the channel counter. */
function peerOf(channelName: string, slash: number): string {
  let end = channelName.length;
  // Masquerades and bridges append `<ZOMBIE>`/`<MASQ>`; the peer is before them.
  const angle = channelName.indexOf('<', slash);
  if (angle > 0) end = angle;
  const dash = channelName.lastIndexOf('-', end - 1);
  return channelName.slice(slash + 1, dash > slash ? dash : end);
}

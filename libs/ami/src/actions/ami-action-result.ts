import { AmiMessage } from '../protocol/ami-message';

/** What Asterisk answered to one action: the response and, for a list action, its events. */
export class AmiActionResult {
  constructor(
    readonly action: string,
    readonly actionId: string,
    readonly response: AmiMessage,
    /** The list items (`CoreShowChannel`, `Status`, `PeerEntry`...), without the closing `...Complete`. */
    readonly events: readonly AmiMessage[] = [],
    /** The closing `...Complete` event of a list, with `ListItems`. */
    readonly complete?: AmiMessage,
  ) {}

  get message(): string | undefined {
    return this.response.get('Message');
  }

  /** `Command` output, one entry per line (`Output:` headers, or an old `Response: Follows` body). */
  get output(): string[] {
    return this.response.getAll('Output');
  }

  get(key: string): string | undefined {
    return this.response.get(key);
  }
}

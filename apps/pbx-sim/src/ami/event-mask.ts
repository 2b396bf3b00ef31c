const CLASSES = new Set([
  'system', 'call', 'log', 'verbose', 'command', 'agent', 'user', 'config', 'dtmf', 'reporting', 'cdr', 'dialplan',
  'originate', 'agi', 'cc', 'aoc', 'test', 'security', 'message',
]);
const TRUE = /^(yes|true|y|t|1|on)$/i;
const FALSE = /^(no|false|n|f|0|off)$/i;

/** Which events a manager session receives (`Events:` at Login, `EventMask:` of the Events action). */
export class EventMask {
  private constructor(
    private readonly classes: ReadonlySet<string> | 'all',
    readonly invalid = false,
  ) {}

  static all(): EventMask {
    return new EventMask('all');
  }

  static none(): EventMask {
    return new EventMask(new Set());
  }

  static invalidMask(): EventMask {
    return new EventMask(new Set(), true);
  }

  static of(classes: Iterable<string>): EventMask {
    return new EventMask(new Set(classes));
  }

  get none(): boolean {
    return this.classes !== 'all' && this.classes.size === 0;
  }

  /** An event is delivered when any class of its `Privilege:` is in the mask. */
  allows(eventClasses: readonly string[]): boolean {
    if (this.classes === 'all') return true;
    for (const c of eventClasses) if (this.classes.has(c)) return true;
    return false;
  }
}

/** manager.c set_eventmask: on/off words, `all`/`none`, or a comma list of read classes. */
export function parseEventMask(text: string): EventMask {
  const t = text.trim();
  if (!t) return EventMask.invalidMask();
  if (TRUE.test(t)) return EventMask.all();
  if (FALSE.test(t)) return EventMask.none();
  const words = t.toLowerCase().split(',').map((w) => w.trim()).filter(Boolean);
  if (words.includes('all')) return EventMask.all();
  return EventMask.of(words.filter((w) => CLASSES.has(w)));
}

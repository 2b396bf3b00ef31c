export type EventMap = { [event: string]: unknown[] };
type Listener<Args extends unknown[]> = (...args: Args) => void;

/**
 * A minimal typed emitter. Unlike Node's EventEmitter, an `error` event with no
 * listener does not throw (a PBX going away must not crash the process), and a
 * listener that throws is reported through `onListenerError` without stopping
 * the other listeners or the socket loop that emitted.
 */
export class TypedEventEmitter<Events extends EventMap> {
  /** Replaced, never mutated, on (un)subscribe: emit walks it without copying, per message. */
  private listeners = new Map<keyof Events, ReadonlyArray<Listener<never[]>>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void = () => undefined) {}

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as unknown as Listener<never[]>]);
    return () => this.off(event, listener);
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, ((...args: Events[K]) => {
      off();
      listener(...args);
    }) as Listener<Events[K]>);
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const current = this.listeners.get(event);
    if (!current) return;
    const index = current.indexOf(listener as unknown as Listener<never[]>);
    if (index >= 0) this.listeners.set(event, [...current.slice(0, index), ...current.slice(index + 1)]);
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /**
   * Resolves with the arguments of the next `event` that passes `filter`;
   * rejects after `timeoutMs` (when given) so a test or a retry never waits forever.
   */
  next<K extends keyof Events>(event: K, options: { timeoutMs?: number; filter?: (...args: Events[K]) => boolean } = {}): Promise<Events[K]> {
    return new Promise((resolve, reject) => {
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              off();
              reject(new Error(`no '${String(event)}' within ${options.timeoutMs} ms`));
            }, options.timeoutMs);
      const off = this.on(event, ((...args: Events[K]) => {
        if (options.filter && !options.filter(...args)) return;
        off();
        clearTimeout(timer);
        resolve(args);
      }) as Listener<Events[K]>);
    });
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const listeners = this.listeners.get(event);
    if (listeners === undefined) return;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as unknown as Listener<Events[K]>)(...args);
      } catch (error) {
        this.onListenerError(String(event), error);
      }
    }
  }
}

export type EventMap = { [event: string]: unknown[] };
type Listener<Args extends unknown[]> = (...args: Args) => void;

/**
 * A minimal typed emitter. Unlike Node's EventEmitter, an `error` event with no
 * listener does not throw (a PBX going away must not crash the process), and a
 * listener that throws is reported through `onListenerError` without stopping
 * the other listeners or the socket loop that emitted.
 */
export class TypedEventEmitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never[]>>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void = () => undefined) {}

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as Listener<never[]>);
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
    this.listeners.get(event)?.delete(listener as unknown as Listener<never[]>);
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
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
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as unknown as Listener<Events[K]>)(...args);
      } catch (error) {
        this.onListenerError(String(event), error);
      }
    }
  }
}

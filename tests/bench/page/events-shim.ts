/**
 * Node's `events` module, as much of it as PouchDB uses. pouchdb-browser imports 'events' and
 * expects the bundler to supply it, but the package is not installed here (and the bench may not
 * add dependencies), so the bench page's Vite build aliases 'events' to this file.
 */
type Listener = (...args: unknown[]) => void;
/** `once` wraps the listener; the original is kept so removeListener(original) still finds it. */
type StoredListener = Listener & { original?: Listener };

/**
 * Listeners are kept outside the object and created on first use: PouchDB builds some classes with
 * Object.create(EventEmitter.prototype) and never runs this constructor, so instance fields would
 * be missing on those objects (and reading a private field would throw).
 */
const listenersByEmitter = new WeakMap<object, Map<string | symbol, StoredListener[]>>();

function listenersOf(emitter: object): Map<string | symbol, StoredListener[]> {
  let listeners = listenersByEmitter.get(emitter);
  if (!listeners) listenersByEmitter.set(emitter, (listeners = new Map()));
  return listeners;
}

export class EventEmitter {
  static listenerCount(emitter: EventEmitter, event: string | symbol): number {
    return emitter.listenerCount(event);
  }

  on(event: string | symbol, listener: Listener): this {
    listenersOf(this).set(event, [...(listenersOf(this).get(event) ?? []), listener]);
    return this;
  }

  addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener);
  }

  once(event: string | symbol, listener: Listener): this {
    const wrapper: StoredListener = (...args) => {
      this.removeListener(event, wrapper);
      listener.apply(this, args);
    };
    wrapper.original = listener;
    return this.on(event, wrapper);
  }

  removeListener(event: string | symbol, listener: Listener): this {
    const list = listenersOf(this).get(event);
    if (!list) return this;
    const index = list.findIndex((l) => l === listener || l.original === listener);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) listenersOf(this).delete(event);
    return this;
  }

  off(event: string | symbol, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) listenersOf(this).clear();
    else listenersOf(this).delete(event);
    return this;
  }

  listeners(event: string | symbol): Listener[] {
    return (listenersOf(this).get(event) ?? []).map((l) => l.original ?? l);
  }

  listenerCount(event: string | symbol): number {
    return listenersOf(this).get(event)?.length ?? 0;
  }

  /** PouchDB raises listener-count warnings through this; there is no limit to lift here. */
  setMaxListeners(_count: number): this {
    return this;
  }

  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = listenersOf(this).get(event);
    if (!list || list.length === 0) {
      // Node throws unhandled 'error' events; swallowing them would hide a failing benchmark.
      if (event === 'error') throw args[0] instanceof Error ? args[0] : new Error(String(args[0]));
      return false;
    }
    // A copy: listeners added or removed while emitting take effect from the next emit.
    for (const listener of [...list]) listener.apply(this, args);
    return true;
  }
}

// PouchDB copies the emitter's methods onto its constructor with Object.keys(EE.prototype), which
// sees only enumerable properties; class methods are not, so make them so, as Node's are.
for (const key of Object.getOwnPropertyNames(EventEmitter.prototype)) {
  if (key === 'constructor') continue;
  const descriptor = Object.getOwnPropertyDescriptor(EventEmitter.prototype, key);
  if (descriptor) Object.defineProperty(EventEmitter.prototype, key, { ...descriptor, enumerable: true });
}

export default EventEmitter;

/**
 * Runs a keyed task at most once per interval: the first trigger runs at once, triggers inside the
 * interval fold into one run at its end (the latest task wins), so the last change is always
 * delivered. A key is forgotten after an interval without triggers. With an interval of 0 every
 * trigger runs (benchmarks compare against that).
 */
type Task = () => void | Promise<unknown>

export class Coalescer {
  private readonly windows = new Map<string, { pending: Task | null; timer: Timer }>()

  constructor(
    private readonly intervalMs: number,
    /** A task's failure (a database error while reading what to send) is reported here, never thrown into a timer. */
    private readonly onError: (error: unknown) => void,
  ) {}

  trigger(key: string, task: Task): void {
    if (this.intervalMs === 0) {
      this.run(task)
      return
    }
    const window = this.windows.get(key)
    if (window) {
      window.pending = task
      return
    }
    this.windows.set(key, { pending: null, timer: setTimeout(() => this.windowEnded(key), this.intervalMs) })
    this.run(task)
  }

  /** Drops what is pending for the key (its subject is gone). */
  forget(key: string): void {
    clearTimeout(this.windows.get(key)?.timer)
    this.windows.delete(key)
  }

  private windowEnded(key: string): void {
    const window = this.windows.get(key)
    if (!window) return
    const task = window.pending
    if (!task) {
      this.windows.delete(key)
      return
    }
    window.pending = null
    window.timer = setTimeout(() => this.windowEnded(key), this.intervalMs)
    this.run(task)
  }

  private run(task: Task): void {
    try {
      void Promise.resolve(task()).catch(this.onError)
    } catch (error) {
      this.onError(error)
    }
  }
}

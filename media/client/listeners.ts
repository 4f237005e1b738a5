/** Event listeners by name, for the SDK's classes (no DOM EventTarget: plain typed callbacks). */
export class Listeners<Events extends Record<string, unknown>> {
  private readonly byEvent = new Map<keyof Events, Set<(data: any) => void>>()

  on<E extends keyof Events>(event: E, listener: (data: Events[E]) => void): () => void {
    let set = this.byEvent.get(event)
    if (!set) {
      set = new Set()
      this.byEvent.set(event, set)
    }
    set.add(listener)
    return () => set.delete(listener)
  }

  emit<E extends keyof Events>(event: E, data: Events[E]): void {
    for (const listener of this.byEvent.get(event) ?? []) listener(data)
  }
}

/**
 * A read of rarely changing rows (the enabled playbooks, the protected list, the connection
 * targets), reused for `ttlMs`: callers in that window share one promise. The owner calls
 * `clear()` after a change it makes, so its own changes show at once; a change made by another
 * process shows within `ttlMs`. A failed read is not kept.
 */
export class RecentRead<T> {
  private held: { at: number; value: Promise<T> } | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly read: () => Promise<T>,
  ) {}

  get(): Promise<T> {
    if (!this.held || Date.now() - this.held.at > this.ttlMs) {
      const value = this.read();
      const held = { at: Date.now(), value };
      this.held = held;
      value.catch(() => {
        if (this.held === held) this.held = undefined;
      });
    }
    return this.held.value;
  }

  clear(): void {
    this.held = undefined;
  }
}

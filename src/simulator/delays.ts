/**
 * Timers for `slow` faults that `close()` can cancel, so a closing simulator leaves no handle behind
 * for Jest to wait on.
 */

/** A set of cancellable waits. */
export class Delays {
  private readonly waiting = new Map<NodeJS.Timeout, (completed: boolean) => void>();

  /** Resolves true after `ms`, or false if cancelled first. */
  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(timer);
        resolve(true);
      }, ms);
      this.waiting.set(timer, resolve);
    });
  }

  /** Cancels every wait in progress. */
  cancelAll(): void {
    for (const [timer, resolve] of this.waiting) {
      clearTimeout(timer);
      resolve(false);
    }
    this.waiting.clear();
  }
}

// When the viewer page's controls show: at once on any input, and until
// AUTO_HIDE_MS after the last one, so that nothing covers the picture while
// nobody touches the page. A hold (keyboard focus in the controls, the mouse
// over them) keeps them up however long it lasts.

/** AUTO_HIDE_MS is how long the controls stay after the last input. */
export const AUTO_HIDE_MS = 2500;

/** Hold is a reason to keep the controls up regardless of time. */
export type Hold = 'focus' | 'pointer';

/** AutoHide decides when the controls show; onChange is told each change. It starts shown, so people see what there is. */
export class AutoHide {
  private on = true;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly holds = new Set<Hold>();

  constructor(
    private readonly onChange: (shown: boolean) => void,
    private readonly delayMs: number = AUTO_HIDE_MS,
  ) {
    this.schedule();
  }

  /** shown tells whether the controls are up. */
  get shown(): boolean {
    return this.on;
  }

  /** poke is any input on the page: show, and count the delay from now. */
  poke(): void {
    this.set(true);
    this.schedule();
  }

  /** hold keeps the controls up while on; releasing the last hold counts the delay from then. */
  hold(reason: Hold, on: boolean): void {
    if (on) {
      this.holds.add(reason);
      this.set(true);
      clearTimeout(this.timer);
    } else if (this.holds.delete(reason) && this.holds.size === 0) {
      this.schedule();
    }
  }

  /** hideNow hides at once unless something holds them (the pointer left the page, say). */
  hideNow(): void {
    if (this.holds.size > 0) return;
    clearTimeout(this.timer);
    this.set(false);
  }

  /** close stops the timer for good. */
  close(): void {
    clearTimeout(this.timer);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.holds.size > 0) return;
    this.timer = setTimeout(() => this.set(false), this.delayMs);
  }

  private set(shown: boolean): void {
    if (shown === this.on) return;
    this.on = shown;
    this.onChange(shown);
  }
}

// The recorded picture: a <video> that takes the live canvas's place while a
// clip plays, and gives it back on live(). The live viewer is paused
// meanwhile, so a phone does not fetch two pictures at once.

/** PlayerEvents are what the player tells the timeline. */
export interface PlayerEvents {
  /** position: the picture shown was captured at t (ms since the epoch); about four times a second. */
  onPosition(t: number): void;
  /** onEnded: the clip played to its end. */
  onEnded(): void;
  /** onError: the clip at url could not be played. */
  onError(url: string): void;
  /** onPlaying: playing (true) or paused (false) changed. */
  onPlaying(playing: boolean): void;
}

/** Player shows recordings in place of the live picture. */
export class Player {
  private clipStart = 0;
  private url = '';

  /**
   * live is the canvas the viewer draws on; pauseLive stops the live
   * viewer (true) and starts it again (false); root gets data-playback
   * ("true" while a recording is shown). signal ends what the player hears
   * of the video: the desktop window hands the same <video> to the
   * timeline of each camera it selects.
   */
  constructor(
    private readonly video: HTMLVideoElement,
    private readonly liveCanvas: HTMLElement,
    private readonly root: HTMLElement,
    private readonly pauseLive: (paused: boolean) => void,
    events: PlayerEvents,
    signal?: AbortSignal,
  ) {
    video.muted = true;
    video.playsInline = true;
    const on = { signal };
    // Only while a recording is shown: live() empties the element too.
    const whileShown = (fn: () => void) => () => {
      if (this.url) fn();
    };
    video.addEventListener('timeupdate', whileShown(() => events.onPosition(this.position)), on);
    video.addEventListener('ended', whileShown(() => events.onEnded()), on);
    video.addEventListener('error', whileShown(() => events.onError(this.url)), on);
    video.addEventListener('play', () => events.onPlaying(true), on);
    video.addEventListener('pause', () => events.onPlaying(false), on);
  }

  /** playing tells whether a recording is shown (playing or paused). */
  get showing(): boolean {
    return this.url !== '';
  }

  /**
   * position is the capture time of the picture shown: the clip's start
   * plus how far it has played. The clip begins at the keyframe at or
   * before the time asked for, which its X-Clip-Start header says (read
   * with a HEAD request as it starts); until that answers, the time asked.
   */
  get position(): number {
    return this.clipStart + this.video.currentTime * 1000;
  }

  /** play shows the clip at url, which starts at start, in place of the live picture. */
  play(url: string, start: number): void {
    this.url = url;
    this.clipStart = start;
    this.video.src = url;
    this.video.hidden = false;
    this.liveCanvas.hidden = true;
    this.root.dataset.playback = 'true';
    this.pauseLive(true);
    this.resume();
    void this.readStart(url);
  }

  /** readStart takes the clip's own start from the server, for position. */
  private async readStart(url: string): Promise<void> {
    try {
      const res = await fetch(url, { method: 'HEAD', cache: 'no-store' });
      const t = Date.parse(res.headers.get('X-Clip-Start') ?? '');
      if (res.ok && Number.isFinite(t) && this.url === url) this.clipStart = t;
    } catch {
      // The position stays at the time asked for.
    }
  }

  /** resume plays on after pause(). */
  resume(): void {
    // A play() cut short by pause() or live() rejects: nothing to report.
    this.video.play().catch(() => undefined);
  }

  pause(): void {
    this.video.pause();
  }

  /** live drops the recording and brings the live picture back. */
  live(): void {
    if (!this.url) return;
    this.url = '';
    this.video.pause();
    this.video.removeAttribute('src');
    this.video.load();
    this.video.hidden = true;
    this.liveCanvas.hidden = false;
    delete this.root.dataset.playback;
    this.pauseLive(false);
  }

  /** frame draws the picture shown onto a canvas of its own size, for "Save picture". */
  frame(): HTMLCanvasElement | null {
    const { videoWidth: w, videoHeight: h } = this.video;
    if (!this.url || w === 0 || h === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d')?.drawImage(this.video, 0, 0, w, h);
    return canvas;
  }
}

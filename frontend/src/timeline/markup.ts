// The timeline's markup, one copy for the viewer page and the desktop
// window: each has an empty <section id="timeline" hidden> where it goes,
// and fills it before finding its parts (view.ts findElements).

/** ClipButton is what the clip button does: the page downloads the clip, the desktop exports it. */
export type ClipButton = 'download' | 'export';

const clipButtons: Record<ClipButton, string> = {
  download: '<a id="tl-download" class="tl-button tl-download" download>Download clip</a>',
  // Saves the clip into the recordings' exports folder (ExportClip); a notice says where.
  export: '<button id="tl-download" class="tl-button" type="button" disabled>Export clip</button>',
};

/** fillTimeline writes the timeline's parts into root, with clip's button. */
export function fillTimeline(root: HTMLElement, clip: ClipButton): void {
  root.innerHTML = `
  <div class="tl-bar">
    <button id="tl-live" class="tl-button tl-live" type="button" title="Back to the live picture (Esc)" hidden>● Live</button>
    <button id="tl-pause" class="tl-button" type="button" aria-pressed="false" hidden>Pause</button>
    <p id="tl-time" class="tl-time">Recorded</p>
    <div id="tl-labels" class="tl-labels" role="group" aria-label="Detections shown"></div>
    <div class="tl-zoom" role="group" aria-label="Time shown">
      <button class="tl-button" type="button" data-zoom="600000" aria-pressed="false" title="Show 10 minutes">10 min</button>
      <button class="tl-button" type="button" data-zoom="3600000" aria-pressed="true" title="Show 1 hour">1 h</button>
      <button class="tl-button" type="button" data-zoom="86400000" aria-pressed="false" title="Show 24 hours">24 h</button>
    </div>
    <div class="tl-clip">
      <select id="tl-length" class="tl-select" aria-label="Clip length" title="Clip length">
        <option value="5000">5 s</option>
        <option value="30000" selected>30 s</option>
        <option value="60000">1 min</option>
        <option value="300000">5 min</option>
      </select>
      ${clipButtons[clip]}
    </div>
  </div>
  <div id="tl-track" class="tl-track" role="slider" tabindex="0" aria-label="Recording timeline: click or press Enter to play">
    <div id="tl-spans" class="tl-layer"></div>
    <div id="tl-marks" class="tl-layer"></div>
    <div id="tl-cursor" class="tl-cursor" hidden></div>
    <div id="tl-head" class="tl-head" hidden></div>
    <p id="tl-hover" class="tl-hover" aria-hidden="true" hidden></p>
  </div>
  <div id="tl-ticks" class="tl-ticks" aria-hidden="true"></div>
  <p id="tl-error" class="tl-error" role="alert" hidden></p>`;
}

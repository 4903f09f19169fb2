// Entry of viewer.html, the page the Go server serves at /?token=T. It finds
// its elements and hands them to the shared viewer module, and wires the
// Boxes switch and the detection counts in the top bar.
import './viewer-page.css';
import { createViewer, type ViewerStatus } from './viewer';

function must<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`viewer.html is missing #${id}`);
  return el;
}

const root = must('viewer', HTMLElement);
const canvas = must('screen', HTMLCanvasElement);
const counts = must('detections', HTMLElement);
const boxes = must('boxes', HTMLButtonElement);
const token = new URLSearchParams(location.search).get('token') ?? '';

const viewer = createViewer({
  root,
  canvas,
  overlay: must('stats', HTMLElement),
  message: must('message', HTMLElement),
  // The server lives where the page came from; endpoints drop ?token= and resolve ws, healthz, api/state next to it.
  baseUrl: location.href,
  token,
  onStatus: ({ state, message }: ViewerStatus) => {
    // Screen readers get the same sentence as the picture's alternative text.
    canvas.setAttribute('aria-label', state === 'live' ? 'Live video from the camera' : `No live video: ${message}`);
  },
  onDetections: ({ text }) => {
    counts.textContent = text;
    counts.hidden = text === '';
    if (text !== '') boxes.hidden = false;
  },
});

boxes.addEventListener('click', () => {
  const on = !viewer.showDetections;
  viewer.setShowDetections(on);
  boxes.setAttribute('aria-pressed', String(on));
});

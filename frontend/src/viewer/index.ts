// Public surface of the viewer module, shared by the viewer page and the desktop UI.
export { createViewer, type Viewer, type ViewerOptions, type ViewerStatus } from './viewer';
export type { ViewerState } from './format';
export { endpoints, type Endpoints } from './urls';
export { parseFrame, type Frame, type FrameHeader, type FrameResult } from './frame';

// Public surface of the viewer module, shared by the viewer page and the desktop UI.
export { createViewer, type DetectionSummary, type Viewer, type ViewerOptions, type ViewerStatus } from './viewer';
export type { ViewerState } from './format';
export { endpoints, type Endpoints } from './urls';
export { parseFrame, type Frame, type FrameHeader, type FrameResult } from './frame';
export { countByLabel, countsText, type Detection, type LabelCount, type ProcTime } from './detections';
export { labelColour, labelText } from './boxes';

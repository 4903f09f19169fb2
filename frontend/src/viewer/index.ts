// Public surface of the viewer module, shared by the viewer page and the desktop UI.
export { createViewer, type CodecChoice, type DetectionSummary, type Viewer, type ViewerOptions, type ViewerStatus } from './viewer';
export { h264Supported } from './h264';
export { statusMessage, type ViewerState } from './format';
export { endpoints, withRendition, type Endpoints } from './urls';
export { AUTO, fitting, parseRenditionName, renditionLabel, renditionMenu, type MenuItem, type Rendition, type RenditionMenu, type RenditionState } from './renditions';
export { parseFrame, type Frame, type FrameHeader, type FrameResult } from './frame';
export { countByLabel, countsText, type Detection, type LabelCount, type ProcTime } from './detections';
export { labelColour, labelText } from './boxes';

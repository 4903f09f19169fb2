// app.App's IngestInfo, written by hand until generated.ts has it: the Go
// binding comes with the ingest source (issue 27). Once `make generate` has
// written AppIngestInfo and Backend.IngestInfo, this file goes and
// backend.ts names the generated type.

/** IngestInfo is app.IngestInfo: where an external producer connects to the selected camera. */
export interface IngestInfo {
  /** The producer URLs, one for each address the app can be reached on; empty when the source is not ingest. */
  urls: string[];
  /** The camera's publish token, which a producer sends as ?token=. */
  token: string;
  /** A ready-to-paste Python snippet: import, Publisher with the URL and token, send. */
  snippet: string;
}

/** IngestBinding is the method app.App binds for it. */
export interface IngestBinding {
  /** IngestInfo returns where an external producer connects to the selected camera. */
  IngestInfo(): Promise<IngestInfo>;
}

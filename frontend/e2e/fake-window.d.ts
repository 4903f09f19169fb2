// The test hooks desktop-bindings.mjs puts on the page's window, for its type
// check (tsconfig.e2e.json).
import type { EventName, EventPayloads } from '../src/desktop/backend';

declare global {
  interface Window {
    /** __calls records the binding calls, as [method, argument]. */
    __calls: unknown[][];
    /** __emit sends an event to the page as Go would. */
    __emit: <N extends EventName>(name: N, data: EventPayloads[N]) => void;
    /** __refuseChain, when set, is the message SetChain fails with. */
    __refuseChain?: string;
    /** __refusePush, when set, is the message SetPush fails with. */
    __refusePush?: string;
    /** __movedBy, when set, is how many remote viewers SetTLS says it disconnected. */
    __movedBy?: number;
    /** __refuseSource, when set, is the message SetSource fails with. */
    __refuseSource?: string;
    /** __release, on a gated page, lets the calls that read Go's state answer. */
    __release?: () => void;
    /** __recordError, when set, is why a camera SetRecord switches on cannot record (a full disk). */
    __recordError?: string;
    /** __recordSwitched, a test's, hears SetRecord switch a camera's recording before it answers. */
    __recordSwitched?: (camera: string, on: boolean) => Promise<void>;
    /** __expireLink makes the customer link called name expired a minute ago, as the Book would list it. */
    __expireLink: (name: string) => void;
  }
}

export {};

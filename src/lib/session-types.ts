// What this app keeps in a session. Only ids and timestamps: user rights are re-read on every request.
import 'express-session';

export interface FlashMessage {
  type: 'success' | 'error' | 'info';
  message: string;
}

declare module 'express-session' {
  interface SessionData {
    userId: number;
    /** ms since epoch when the user signed in; the absolute timeout counts from here. */
    createdAt: number;
    /** ms since epoch of the last request; the idle timeout counts from here. */
    lastSeenAt: number;
    ip: string;
    userAgent: string;
    flash: FlashMessage[];
    csrfSecret: string;
    /** The Genesys org this user works in (per user, per session; never global). */
    currentOrgId: string;
    /**
     * Rows a refused bulk preview had selected and what was typed in its form, shown again on the table page it
     * returns to (once).
     */
    keptSelection: {
      tableId: string;
      refs: string[];
      form?: { action: string; column: string; value: string; yesNo: string; all: boolean };
    };
    /** The IANA zone the browser reported at sign-in (validated): times are shown in it unless she set one. */
    browserTimeZone: string;
  }
}

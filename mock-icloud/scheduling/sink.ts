/**
 * The invitation sink: every iTIP message (RFC 5546) the mock's implicit scheduling would have
 * iCloud send, kept for tests to read (control plane `GET /__mock/invitations`, `mock.control`,
 * scenario expectation `invitations`). Nothing leaves the process.
 */
export type ItipMethod = 'REQUEST' | 'CANCEL';

export interface Invitation {
  /** `inv-1`, `inv-2`, … in the order sent. */
  id: string;
  /** ISO time on the mock's clock. */
  at: string;
  method: ItipMethod;
  /** The organizer's address, `mailto:` dropped and lower-cased. */
  from: string;
  /** The attendee's address, `mailto:` dropped and lower-cased. */
  to: string;
  uid: string;
  summary?: string;
  /**
   * `calendar`: the attendee is an account of this world and iCloud adds the event to their
   * calendar (Nylas: "automatically added to the iCloud calendar"); `email`: iMIP to anyone else.
   */
  delivery: 'calendar' | 'email';
  /** The organizer's calendar object the write was to (href). */
  href: string;
  /** The iTIP object, with its METHOD. */
  ics: string;
}

export interface InvitationQuery {
  to?: string;
  from?: string;
  method?: string;
  uid?: string;
}

export class InvitationSink {
  private sent: Invitation[] = [];
  private counter = 0;

  add(invitation: Omit<Invitation, 'id'>): Invitation {
    const stored = { id: `inv-${++this.counter}`, ...invitation };
    this.sent.push(stored);
    return stored;
  }

  list(query: InvitationQuery = {}): Invitation[] {
    const address = (a: string | undefined) =>
      a
        ?.trim()
        .toLowerCase()
        .replace(/^mailto:/, '');
    return this.sent.filter(
      (i) =>
        (query.to === undefined || i.to === address(query.to)) &&
        (query.from === undefined || i.from === address(query.from)) &&
        (query.method === undefined || i.method === query.method.toUpperCase()) &&
        (query.uid === undefined || i.uid === query.uid),
    );
  }

  clear(): void {
    this.sent = [];
  }
}

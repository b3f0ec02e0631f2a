/**
 * Typed errors for everything iCloud can answer that a sync must react to. Each message says what
 * happened and what to do about it (the MSW "Failed to X: Y. Please Z" pattern).
 */
export class ICloudError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** 401: the Apple ID or password was refused (RULES.md C1). */
export class AuthRefusedError extends ICloudError {
  constructor(readonly appleId: string) {
    super(
      `iCloud refused the Apple ID or password for ${appleId}: use an app-specific password from appleid.apple.com (the account needs two-factor authentication; the regular Apple ID password never works, and a revoked app-specific password must be replaced by a new one)`,
    );
  }
}

/**
 * 503, 429, 500, 502, 504, or a network failure: try again later, after `retryAfterMs` if iCloud
 * said. The message is a sync run's (the scheduler retries); `whatFailed` is for callers that say
 * something else, such as a connect, which nothing retries.
 */
export class ServiceUnavailableError extends ICloudError {
  /** "HTTP 503", or the network failure. */
  readonly whatFailed: string;

  constructor(
    readonly status: number | 'network',
    readonly retryAfterMs: number | undefined,
    detail: string,
  ) {
    const whatFailed = status === 'network' ? detail : `HTTP ${status}`;
    super(`iCloud is not answering (${whatFailed}): the sync will retry${retryAfterMs !== undefined ? ` after ${Math.round(retryAfterMs / 1000)} s, as iCloud asked` : ' with backoff'}`);
    this.whatFailed = whatFailed;
  }
}

/** Any other answer the sync cannot use, with the request that got it. */
export class UnexpectedResponseError extends ICloudError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    detail = '',
  ) {
    super(`iCloud answered ${method} ${url} with HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }
}

/**
 * 403 with DAV:number-of-matches-within-limits: the REPORT would answer with more than the server
 * sends at once (CalendarServer: over 5,000 hrefs, or too much calendar-data). Ask for less.
 */
export class TooManyMatchesError extends UnexpectedResponseError {
  constructor(method: string, url: string) {
    super(method, url, 403, 'the server refuses to answer that many objects at once (number-of-matches-within-limits)');
  }
}

/** The sync token is no longer valid (iCloud's bare 403, RFC 6578 409/410): do a full listing. */
export class InvalidSyncTokenError extends ICloudError {
  constructor(readonly calendarUrl: string) {
    super(`iCloud no longer accepts the sync token for ${calendarUrl}; a full listing replaces it`);
  }
}

/** Discovery found no calendar home: the server is not an iCloud/CalDAV endpoint. */
export class DiscoveryError extends ICloudError {}

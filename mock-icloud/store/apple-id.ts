/**
 * The one normalisation of an Apple ID, applied wherever one enters the mock (Basic credentials,
 * the control plane, world files, fault scopes, journal queries): surrounding white space is
 * dropped and case is ignored, as Apple ID sign-in does, so every request is filed under one ID.
 */
export function canonicalAppleId(raw: string): string {
  return raw.trim().toLowerCase();
}

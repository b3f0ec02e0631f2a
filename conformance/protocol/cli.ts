// Replaced by the protocol suite (conformance/protocol/): runs the CalDAV cases against a target.
export async function protocolMain(_argv: string[], out: (line: string) => void): Promise<number> {
  out('icloud-conformance protocol: not built yet');
  return 2;
}

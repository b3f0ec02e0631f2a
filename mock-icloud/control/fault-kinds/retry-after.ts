/** The `retryAfter` parameter two kinds share (503 and 429 both carry Retry-After on iCloud). */
import { z } from 'zod';

export const retryAfterParam = {
  retryAfter: z.number({ error: 'must be whole seconds' }).int('must be whole seconds').min(0, 'must be whole seconds').optional().describe('seconds, sent as Retry-After'),
};

export function retryAfterHeaders(rule: { retryAfter?: number }): Record<string, string> {
  return rule.retryAfter === undefined ? {} : { 'Retry-After': String(rule.retryAfter) };
}

/** `90m`, `2h`, `40d`, `1d12h` → ms; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const parts = [...text.matchAll(/(\d+)\s*([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.replace(/\s/g, '')) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0);
}

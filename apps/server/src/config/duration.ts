const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export const DURATION_PATTERN = /^(\d+)([smhd]?)$/;

/** `900`, `900s`, `15m`, `8h`, `1d` -> seconds; null when the text is not such a duration. */
export function parseDurationSeconds(text: string): number | null {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's'];
}

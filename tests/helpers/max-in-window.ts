/** The most events found in any window of `windowMs` among the recorded times: for pacing checks. */
export function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0; start < sorted.length; start++) {
    const from = sorted[start] ?? 0;
    let count = 0;
    for (let index = start; index < sorted.length && (sorted[index] ?? 0) < from + windowMs; index++) count++;
    most = Math.max(most, count);
  }
  return most;
}

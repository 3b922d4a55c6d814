const pad = (n: number) => String(n).padStart(2, '0');

/** `HH:MM` of a Unix-millisecond time, in the device's time zone. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `HH:MM:SS` of a Unix-millisecond time, in the device's time zone. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${formatTime(ms)}:${pad(d.getSeconds())}`;
}

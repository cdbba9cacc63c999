// One way to show a moment everywhere: relative ("3 min ago") with the absolute UTC time
// on hover, in a <time> element that scripts and tests can read.
import { ago } from "@/components/health-badge";

/** "2026-12-06 22:47:35 UTC" */
export function absoluteTime(date: Date): string {
  return `${date.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

export function When({ date, now, prefix }: { date: Date | null | undefined; now?: Date; prefix?: string }) {
  if (!date) return <span className="text-slate-500">never</span>;
  return (
    <time dateTime={date.toISOString()} title={absoluteTime(date)} data-testid="when">
      {prefix ? `${prefix} ` : ""}
      {ago(date, now)}
    </time>
  );
}

/** "4.2 s", "3 min 5 s", "1 h 2 min": how long a job ran (or has been running). */
export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

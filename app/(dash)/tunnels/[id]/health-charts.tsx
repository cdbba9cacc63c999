"use client";
// The tunnel page's health charts (recharts): probe latency and loss, and the CHILD SA's
// traffic in and out. Points come from lib/health/chart-data (computed on the server).
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ChartPoint } from "@/lib/health/chart-data";

const time = (t: number) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

function Chart({
  title,
  testId,
  data,
  lines,
  left,
  right,
}: {
  title: string;
  testId: string;
  data: ChartPoint[];
  lines: { key: keyof ChartPoint; name: string; color: string; axis: "left" | "right" }[];
  left: string;
  right?: string;
}) {
  return (
    <figure data-testid={testId} data-points={data.length}>
      <figcaption className="mb-1 text-sm font-medium text-slate-700">{title}</figcaption>
      <div className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--color-slate-200)" />
            <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} scale="time" tickFormatter={time} fontSize={11} />
            <YAxis yAxisId="left" fontSize={11} label={{ value: left, angle: -90, position: "insideLeft", fontSize: 11 }} />
            {right ? (
              <YAxis
                yAxisId="right"
                orientation="right"
                fontSize={11}
                label={{ value: right, angle: 90, position: "insideRight", fontSize: 11 }}
              />
            ) : null}
            <Tooltip labelFormatter={(t) => time(Number(t))} />
            <Legend />
            {lines.map((l) => (
              <Line
                key={l.key}
                yAxisId={l.axis}
                type="monotone"
                dataKey={l.key}
                name={l.name}
                stroke={l.color}
                dot={false}
                isAnimationActive={false}
                connectNulls={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function HealthCharts({ points }: { points: ChartPoint[] }) {
  if (points.length === 0)
    return <p className="text-sm text-slate-500">No samples yet: the first check runs within one health interval.</p>;
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
      <Chart
        title="Probe latency and loss"
        testId="chart-latency"
        data={points}
        left="ms"
        right="% loss"
        lines={[
          { key: "latencyMs", name: "latency (ms)", color: "#2563eb", axis: "left" },
          { key: "lossPct", name: "loss (%)", color: "#dc2626", axis: "right" },
        ]}
      />
      <Chart
        title="Traffic through the CHILD SA"
        testId="chart-traffic"
        data={points}
        left="bytes/s"
        lines={[
          { key: "inBps", name: "in (bytes/s)", color: "#16a34a", axis: "left" },
          { key: "outBps", name: "out (bytes/s)", color: "#9333ea", axis: "left" },
        ]}
      />
    </div>
  );
}

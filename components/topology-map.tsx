"use client";
// The fleet as a graph (@xyflow/react): one node per site's gateway, one edge per tunnel
// coloured by its health. Clicking a tunnel opens it; clicking a site opens the site.
// Layout: the busiest gateway (the hub) in the middle, the others on a circle round it.
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import { useRouter } from "next/navigation";
import { Background, Controls, MarkerType, ReactFlow, type Edge, type Node } from "@xyflow/react";
import { HEALTH_COLORS } from "./health-badge";

export type MapSite = { id: string; siteId: string; label: string };
export type MapTunnel = { id: string; a: string; b: string; state: string; reason: string | null };

export function layoutCircle(ids: readonly string[], degree: ReadonlyMap<string, number>): Map<string, { x: number; y: number }> {
  const sorted = [...ids].sort((x, y) => (degree.get(y) ?? 0) - (degree.get(x) ?? 0) || x.localeCompare(y));
  const pos = new Map<string, { x: number; y: number }>();
  const hub = sorted.length > 2 && (degree.get(sorted[0]!) ?? 0) > 1 ? sorted.shift()! : null;
  const radius = Math.max(160, sorted.length * 45);
  if (hub) pos.set(hub, { x: 0, y: 0 });
  sorted.forEach((id, i) => {
    const angle = (2 * Math.PI * i) / sorted.length - Math.PI / 2;
    pos.set(id, { x: Math.round(radius * Math.cos(angle)), y: Math.round(radius * Math.sin(angle)) });
  });
  return pos;
}

export function TopologyMap({ sites, tunnels }: { sites: MapSite[]; tunnels: MapTunnel[] }) {
  const router = useRouter();
  const { nodes, edges } = useMemo(() => {
    const degree = new Map<string, number>();
    for (const t of tunnels) for (const g of [t.a, t.b]) degree.set(g, (degree.get(g) ?? 0) + 1);
    const pos = layoutCircle(sites.map((s) => s.id), degree);
    const nodes: Node[] = sites.map((s) => ({
      id: s.id,
      position: pos.get(s.id)!,
      data: { label: s.label, siteId: s.siteId },
      style: { fontSize: 12, width: 150 },
    }));
    const edges: Edge[] = tunnels.map((t) => {
      const color = (HEALTH_COLORS[t.state] ?? HEALTH_COLORS.unknown!).stroke;
      return {
        id: t.id,
        source: t.a,
        target: t.b,
        label: t.state,
        className: `health-edge health-${t.state}`,
        style: { stroke: color, strokeWidth: 3, cursor: "pointer" },
        labelStyle: { fill: color, fontWeight: 600, fontSize: 11 },
        labelBgStyle: { fill: "#ffffff" },
        markerEnd: { type: MarkerType.ArrowClosed, color, width: 12, height: 12 },
        interactionWidth: 20,
        ariaLabel: `${t.state}${t.reason ? `: ${t.reason}` : ""}`,
      };
    });
    return { nodes, edges };
  }, [sites, tunnels]);

  return (
    <div className="h-[420px] w-full rounded-md border border-slate-200" data-testid="topology-map">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        nodesConnectable={false}
        onEdgeClick={(_, edge) => router.push(`/tunnels/${edge.id}`)}
        onNodeClick={(_, node) => router.push(`/sites/${(node.data as { siteId: string }).siteId}`)}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

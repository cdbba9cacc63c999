"use client";
// The fleet as a graph (@xyflow/react), drawn from the bounded model lib/health/fleet-map
// builds on the server: gateways and tunnels of a small fleet, or hubs with their spokes
// grouped by health state. Edges and group nodes are coloured by health; every node
// and edge opens what it stands for (a site, a tunnel, a filtered tunnel list).
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import { useRouter } from "next/navigation";
import {
  BaseEdge,
  Background,
  Controls,
  getStraightPath,
  ReactFlow,
  useInternalNode,
  type Edge,
  type EdgeProps,
  type Node,
} from "@xyflow/react";
import type { FleetMap, MapNode } from "@/lib/health/fleet-map";
import { HEALTH_COLORS } from "./health-badge";
import { useTheme } from "./theme-toggle";

const colorOf = (state: string | undefined) => (HEALTH_COLORS[state ?? "unknown"] ?? HEALTH_COLORS.unknown!).stroke;

function nodeStyle(n: MapNode): React.CSSProperties {
  if (n.kind === "group")
    return {
      fontSize: 12,
      width: 130,
      fontWeight: 600,
      color: colorOf(n.state),
      borderColor: colorOf(n.state),
      borderWidth: 2,
      cursor: "pointer",
    };
  if (n.kind === "hub" || n.kind === "elsewhere") return { fontSize: 12, width: 170, fontWeight: 600, borderWidth: 2, cursor: "pointer" };
  return { fontSize: 12, width: 150, cursor: "pointer" };
}

/** A straight line between two nodes' centres (drawn under the nodes), whatever their handles. */
function CentreEdge({ source, target, style, label, labelStyle, labelBgStyle, interactionWidth }: EdgeProps) {
  const a = useInternalNode(source);
  const b = useInternalNode(target);
  if (!a || !b) return null;
  const centre = (n: NonNullable<typeof a>) => ({
    x: n.internals.positionAbsolute.x + (n.measured.width ?? 0) / 2,
    y: n.internals.positionAbsolute.y + (n.measured.height ?? 0) / 2,
  });
  const p = centre(a);
  const q = centre(b);
  const [path, labelX, labelY] = getStraightPath({ sourceX: p.x, sourceY: p.y, targetX: q.x, targetY: q.y });
  return (
    <BaseEdge
      path={path}
      style={style}
      label={label}
      labelX={labelX}
      labelY={labelY}
      labelStyle={labelStyle}
      labelBgStyle={labelBgStyle}
      interactionWidth={interactionWidth}
    />
  );
}

const edgeTypes = { centre: CentreEdge };

export function TopologyMap({ map }: { map: FleetMap }) {
  const router = useRouter();
  const theme = useTheme();
  const { nodes, edges } = useMemo(() => {
    const nodes: Node[] = map.nodes.map((n) => ({
      id: n.id,
      position: { x: n.x, y: n.y },
      data: { label: n.detail ? `${n.label} (${n.detail})` : n.label, href: n.href },
      className: `map-${n.kind}${n.state ? ` health-${n.state}` : ""}`,
      style: nodeStyle(n),
      ariaLabel: n.kind === "group" ? `${n.label}: open the list` : n.label,
    }));
    const edges: Edge[] = map.edges.map((e) => {
      const color = colorOf(e.state);
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        label: e.label || undefined,
        data: { href: e.href },
        className: `health-edge health-${e.state}`,
        style: { stroke: color, strokeWidth: 3, cursor: "pointer" },
        // Labels let clicks through: a label lying over another tunnel must not take its click.
        labelStyle: { fill: color, fontWeight: 600, fontSize: 11, pointerEvents: "none" },
        labelBgStyle: { fill: "var(--color-white)", pointerEvents: "none" },
        // A tunnel has no direction: no arrowheads.
        interactionWidth: 20,
        ariaLabel: e.title,
        // Straight lines from centre to centre read as a star round the hub.
        type: "centre",
      };
    });
    return { nodes, edges };
  }, [map]);

  return (
    // Handles are for drawing new edges, which this map does not do.
    <div
      className="h-[420px] w-full rounded-md border border-slate-200 [&_.react-flow\_\_handle]:invisible"
      data-testid="topology-map"
      data-mode={map.mode}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        edgeTypes={edgeTypes}
        colorMode={theme}
        fitView
        fitViewOptions={{ padding: 0.25 }}
        // Node positions are centres; a 60-gateway circle needs to zoom far out to fit.
        nodeOrigin={[0.5, 0.5]}
        minZoom={0.1}
        nodesConnectable={false}
        onEdgeClick={(_, edge) => router.push((edge.data as { href: string }).href)}
        onNodeClick={(_, node) => router.push((node.data as { href: string }).href)}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

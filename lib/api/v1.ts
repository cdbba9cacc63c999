// The REST API's routes (/api/v1/…): each one the same use case and the same permission
// as the page or action that does it. app/api/v1/**/route.ts export these handlers;
// lib/api/openapi.ts documents every one of them from the same definitions.
import "server-only";
import { listSshCredentials } from "@/lib/db/ssh-credentials";
import { anySignedInUser, canAcceptHostKey, canManageInventory, canOperateTunnels } from "@/lib/auth/permissions";
import { countSites, getSite, getTunnel, listCryptoProfiles, listSitesPage, countTunnels, listTunnelsPage } from "@/lib/db/inventory";
import { countAuditEvents, countGateways, getGatewayRecord, listAuditEventsPage, listGatewaysPage, listJobLogs } from "@/lib/db/api-reads";
import { getLatestSample } from "@/lib/db/health";
import { getJob } from "@/lib/db/jobs";
import { pageWindow } from "@/lib/domain/pagination";
import { createBranchOffice } from "@/lib/inventory/branch-office";
import { acceptHostKey, checkHostKey } from "@/lib/inventory/host-key";
import { setSiteProbeTarget } from "@/lib/inventory/edit-inventory";
import { startTunnelJob } from "@/lib/inventory/tunnel-jobs";
import { startPskRotation } from "@/lib/rotation/start-rotation";
import { AppError } from "@/lib/errors";
import { defineRoute, type AnyRoute } from "@/lib/api/route";
import * as s from "@/lib/api/schemas";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { z } from "zod";

/** The document's version: /api/v1 changes only compatibly (fields added, never renamed or removed). */
export const API_VERSION = "1.0.0";

export const PER_PAGE = 50;

const notFound = (what: string) => new AppError("not_found", `There is no ${what} with this id.`);

async function page<T, R>(
  requested: number | undefined,
  count: () => Promise<number>,
  load: (w: { skip: number; take: number }) => Promise<T[]>,
  map: (row: T) => R,
) {
  const total = await count();
  const w = pageWindow({ page: requested ?? 1, perPage: PER_PAGE, total });
  const rows = total ? await load(w) : [];
  return { items: rows.map(map), page: w.page, perPage: PER_PAGE, pageCount: w.pageCount, total };
}

type GatewayRow = NonNullable<Awaited<ReturnType<typeof getGatewayRecord>>>;
const gatewayOut = (g: GatewayRow) => ({
  id: g.id,
  name: g.name,
  siteId: g.siteId,
  siteName: g.site.name,
  platform: g.platform,
  ipsecStack: g.ipsecStack,
  publicIp: g.publicIp,
  sshHost: g.sshHost,
  sshPort: g.sshPort,
  sshUser: g.sshUser,
  sshAuthType: g.sshAuthType,
  sshCredentialId: g.sshCredentialId,
  hostKey: { pinned: g.hostKeyFingerprint, offered: g.hostKeySeen },
  reachability: { state: g.reachability, reason: g.reachabilityReason, at: g.reachabilityAt },
  wanInterface: g.wanInterface,
  lanInterface: g.lanInterface,
  lanAddress: g.lanAddress,
  createdAt: g.createdAt,
  updatedAt: g.updatedAt,
});

type SiteRow = Awaited<ReturnType<typeof listSitesPage>>[number];
const siteOut = (
  x: Pick<SiteRow, "id" | "name" | "description" | "createdAt" | "subnets" | "probeTarget"> & { gateway: SiteRow["gateway"] | null },
) => ({
  id: x.id,
  name: x.name,
  description: x.description,
  subnets: x.subnets.map((n) => n.cidr),
  probeTarget: x.probeTarget,
  gateway: x.gateway ? { id: x.gateway.id, name: x.gateway.name, platform: x.gateway.platform, publicIp: x.gateway.publicIp } : null,
  createdAt: x.createdAt,
});

async function siteDetail(id: string) {
  const site = await getSite(id);
  if (!site) throw notFound("site");
  return {
    ...siteOut({ ...site, gateway: site.gateway as SiteRow["gateway"] | null }),
    tunnelIds: site.gateway?.tunnelEnds.map((e) => e.tunnelId) ?? [],
  };
}

type TunnelRow = Awaited<ReturnType<typeof listTunnelsPage>>[number];
const tunnelOut = (t: TunnelRow) => ({
  id: t.id,
  kind: t.kind,
  deployState: t.deployState,
  deployedAt: t.deployedAt,
  cryptoProfile: { id: t.cryptoProfile.id, name: t.cryptoProfile.name },
  ends: t.ends.map((e) => ({
    role: e.role,
    interfaceName: e.interfaceName,
    gatewayId: e.gatewayId,
    gatewayName: e.gateway.name,
    siteId: e.gateway.siteId,
    siteName: e.gateway.site.name,
    publicIp: e.gateway.publicIp,
    subnets: e.gateway.site.subnets.map((n) => n.cidr),
  })),
  health: { state: t.healthState, reason: t.healthReason, since: t.healthAt },
  createdAt: t.createdAt,
});

const num = (v: bigint | number | null) => (v === null ? null : Number(v));

async function jobOut(id: string) {
  const job = await getJob(id, Number.MAX_SAFE_INTEGER);
  if (!job) throw notFound("job");
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    targetType: job.targetType,
    targetId: job.targetId,
    error: job.error,
    createdByName: job.createdByName,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    steps: job.steps.map((x) => ({ seq: x.seq, name: x.name, status: x.status, detail: x.detail })),
  };
}

const started = (jobId: string, extra: { tunnels?: number; skipped?: string[] } = {}) => ({
  jobId,
  job: `/api/v1/jobs/${jobId}`,
  ...extra,
});

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The wizard reads form fields (strings); the API's JSON becomes the same fields. */
function branchOfficeFields(body: s.BranchOfficeBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join("\n") : String(value);
  }
  return out;
}

const read = { can: anySignedInUser, what: "read Gatewarden" };
const ID = { params: s.idPath };

export const API_ROUTES: AnyRoute[] = [
  defineRoute({
    method: "GET",
    path: "/sites",
    summary: "List sites (by name, 50 per page)",
    tag: "Sites",
    ...read,
    query: s.pageQuery,
    status: 200,
    response: s.sitePageSchema,
    run: ({ query }) => page(query.page, countSites, listSitesPage, siteOut),
  }),
  defineRoute({
    method: "POST",
    path: "/sites",
    summary: "Add a branch office (site, subnets, gateway and, for a branch, the tunnel to its hub with a fresh PSK), like the wizard",
    tag: "Sites",
    can: canManageInventory,
    what: "add sites",
    body: s.branchOfficeBody,
    status: 201,
    response: s.branchOfficeCreatedSchema,
    errors: [409, 415, 422],
    run: async ({ actor, body }) => {
      const { siteId } = await createBranchOffice(actor, branchOfficeFields(body));
      const site = await siteDetail(siteId);
      return { site, gatewayId: site.gateway!.id, tunnelId: site.tunnelIds[0] ?? null };
    },
  }),
  defineRoute({
    method: "GET",
    path: "/sites/{id}",
    summary: "One site",
    tag: "Sites",
    ...read,
    ...ID,
    status: 200,
    response: s.siteDetailSchema,
    errors: [404],
    run: ({ params }) => siteDetail(params.id),
  }),
  defineRoute({
    method: "POST",
    path: "/sites/{id}/probe-target",
    summary: "Set or clear the site's probe target (a host on its LAN that health pings through its tunnels)",
    tag: "Sites",
    can: canManageInventory,
    what: "change sites",
    ...ID,
    body: s.probeTargetBody,
    status: 200,
    response: s.siteDetailSchema,
    errors: [404, 415, 422],
    run: async ({ actor, params, body }) => {
      await setSiteProbeTarget(actor, params.id, body.probeTarget);
      return siteDetail(params.id);
    },
  }),
  defineRoute({
    method: "GET",
    path: "/gateways",
    summary: "List gateways (by name, 50 per page)",
    tag: "Gateways",
    ...read,
    query: s.pageQuery,
    status: 200,
    response: s.gatewayPageSchema,
    run: ({ query }) => page(query.page, countGateways, listGatewaysPage, gatewayOut),
  }),
  defineRoute({
    method: "GET",
    path: "/gateways/{id}",
    summary: "One gateway (never its SSH credential)",
    tag: "Gateways",
    ...read,
    ...ID,
    status: 200,
    response: s.gatewaySchema,
    errors: [404],
    run: async ({ params }) => {
      const g = await getGatewayRecord(params.id);
      if (!g) throw notFound("gateway");
      return gatewayOut(g);
    },
  }),
  defineRoute({
    method: "POST",
    path: "/gateways/{id}/host-key/check",
    summary: "Contact the gateway and read the SSH host key it offers (not yet trusted)",
    tag: "Gateways",
    can: canOperateTunnels,
    what: "contact gateways",
    ...ID,
    status: 200,
    response: s.hostKeyCheckSchema,
    errors: [404, 409],
    run: ({ params }) => checkHostKey(params.id),
  }),
  defineRoute({
    method: "POST",
    path: "/gateways/{id}/host-key/accept",
    summary: "Pin the host key the last check saw (compare it with the router's own first)",
    tag: "Gateways",
    can: canAcceptHostKey,
    what: "trust SSH host keys",
    ...ID,
    body: s.hostKeyAcceptBody,
    status: 200,
    response: s.gatewaySchema,
    errors: [404, 409, 415, 422],
    run: async ({ actor, params, body }) => {
      await acceptHostKey(actor, params.id, body.fingerprint);
      return gatewayOut((await getGatewayRecord(params.id))!);
    },
  }),
  defineRoute({
    method: "GET",
    path: "/ssh-credentials",
    summary: "Named SSH credentials: public key, fingerprint and the gateways using each (never a private key)",
    tag: "Gateways",
    ...read,
    status: 200,
    response: s.sshCredentialListSchema,
    run: async () => ({
      items: (await listSshCredentials()).map((c) => ({
        id: c.id,
        name: c.name,
        origin: c.origin,
        keyVersion: c.keyVersion,
        publicKey: c.publicKey,
        fingerprint: c.fingerprint,
        authorizedKeysPath: c.authorizedKeysPath,
        rotationUnfinished: c.nextPublicKey !== null,
        createdAt: c.createdAt,
        rotatedAt: c.rotatedAt,
        gateways: c.gateways.map((g) => ({ id: g.id, name: g.name })),
      })),
    }),
  }),
  defineRoute({
    method: "GET",
    path: "/crypto-profiles",
    summary: "The crypto profiles a tunnel can use (a branch office's cryptoProfileId)",
    tag: "Tunnels",
    ...read,
    status: 200,
    response: s.cryptoProfileListSchema,
    run: async () => ({ items: (await listCryptoProfiles()).map((p) => ({ id: p.id, name: p.name, builtIn: p.builtIn })) }),
  }),
  defineRoute({
    method: "GET",
    path: "/tunnels",
    summary: "List tunnels with their health (oldest first; with ?state=, longest in that state first)",
    tag: "Tunnels",
    ...read,
    query: s.tunnelListQuery,
    status: 200,
    response: s.tunnelPageSchema,
    run: ({ query }) => {
      const filter = { states: query.state ? [query.state] : undefined };
      return page(
        query.page,
        () => countTunnels(filter),
        (w) => listTunnelsPage(filter, w),
        tunnelOut,
      );
    },
  }),
  defineRoute({
    method: "GET",
    path: "/tunnels/{id}",
    summary: "One tunnel with its health, last probe and key versions (never the key)",
    tag: "Tunnels",
    ...read,
    ...ID,
    status: 200,
    response: s.tunnelDetailSchema,
    errors: [404],
    run: async ({ params }) => {
      const t = await getTunnel(params.id);
      if (!t) throw notFound("tunnel");
      const sample = await getLatestSample(t.id);
      return {
        ...tunnelOut(t),
        keys: t.keys.map((k) => ({
          version: k.version,
          status: k.status,
          createdAt: k.createdAt,
          activatedAt: k.activatedAt,
          retiredAt: k.retiredAt,
        })),
        lastSample: sample
          ? {
              at: sample.at,
              state: sample.state,
              reason: sample.reason,
              latencyMs: sample.latencyMs,
              lossPct: sample.lossPct,
              bytesIn: num(sample.bytesIn),
              bytesOut: num(sample.bytesOut),
              packetsIn: num(sample.packetsIn),
              packetsOut: num(sample.packetsOut),
            }
          : null,
      };
    },
  }),
  defineRoute({
    method: "POST",
    path: "/tunnels/{id}/deploy",
    summary: "Start a deploy job: push the tunnel's configuration to both gateways, bring it up and verify it",
    tag: "Jobs",
    can: canOperateTunnels,
    what: "deploy tunnels",
    ...ID,
    status: 202,
    response: s.jobStartedSchema,
    errors: [404, 409],
    run: async ({ actor, params }) => started(await startTunnelJob(actor, params.id, "deploy")),
  }),
  defineRoute({
    method: "POST",
    path: "/tunnels/{id}/rotate",
    summary: "Start a PSK rotation job for a deployed tunnel",
    tag: "Jobs",
    can: canOperateTunnels,
    what: "rotate pre-shared keys",
    ...ID,
    status: 202,
    response: s.jobStartedSchema,
    errors: [404, 409],
    run: async ({ actor, params }) => {
      const r = await startPskRotation(actor, { tunnelId: params.id });
      return started(r.jobId, { tunnels: r.tunnels, skipped: r.skipped });
    },
  }),
  defineRoute({
    method: "POST",
    path: "/tunnels/{id}/teardown",
    summary: "Start a teardown job: take the tunnel down and remove its files from both gateways",
    tag: "Jobs",
    can: canOperateTunnels,
    what: "tear tunnels down",
    ...ID,
    status: 202,
    response: s.jobStartedSchema,
    errors: [404, 409],
    run: async ({ actor, params }) => started(await startTunnelJob(actor, params.id, "teardown")),
  }),
  defineRoute({
    method: "GET",
    path: "/jobs/{id}",
    summary: "A job's status and steps (poll until succeeded, failed or interrupted)",
    tag: "Jobs",
    ...read,
    ...ID,
    status: 200,
    response: s.jobSchema,
    errors: [404],
    run: ({ params }) => jobOut(params.id),
  }),
  defineRoute({
    method: "GET",
    path: "/jobs/{id}/logs",
    summary: "A job's log lines after ?after=<seq> (at most 1000 per call; secrets are redacted)",
    tag: "Jobs",
    ...read,
    ...ID,
    query: s.jobLogsQuery,
    status: 200,
    response: s.jobLogsSchema,
    errors: [404],
    run: async ({ params, query }) => {
      const job = await getJob(params.id, Number.MAX_SAFE_INTEGER);
      if (!job) throw notFound("job");
      const after = query.after ?? 0;
      const items = await listJobLogs(job.id, after, 1000);
      const finished = job.finishedAt !== null && items.length < 1000;
      return {
        items: items.map((l) => ({ seq: l.seq, at: l.at, level: l.level, gateway: l.gateway, message: l.message })),
        next: items.at(-1)?.seq ?? after,
        done: finished,
      };
    },
  }),
  defineRoute({
    method: "GET",
    path: "/audit",
    summary: "The audit log, newest first (50 per page)",
    tag: "Audit",
    ...read,
    query: s.pageQuery,
    status: 200,
    response: s.auditEventPageSchema,
    run: ({ query }) =>
      page(query.page, countAuditEvents, listAuditEventsPage, (e) => ({
        id: e.id,
        at: e.at,
        actorName: e.actorName,
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        summary: e.summary,
        before: parseJson(e.before),
        after: parseJson(e.after),
      })),
  }),
];

/** The handler definition for a method and path, for the app/api/v1 route files. */
export function apiRoute(method: "GET" | "POST", path: string): AnyRoute {
  const def = API_ROUTES.find((r) => r.method === method && r.path === path);
  if (!def) throw new Error(`no API route ${method} ${path}`);
  return def;
}

API_ROUTES.push(
  defineRoute({
    method: "GET",
    path: "/openapi.json",
    summary: "This API's OpenAPI 3.1 document (no token needed)",
    tag: "Meta",
    ...read,
    public: true,
    status: 200,
    response: z.looseObject({ openapi: z.literal("3.1.0"), paths: z.record(z.string(), z.unknown()) }),
    run: async () => buildOpenApiDocument(API_ROUTES, API_VERSION),
  }),
);

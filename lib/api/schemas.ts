// The REST API's wire shapes as zod schemas: what the routes read (bodies, queries,
// paths) and what they answer (dates as ISO strings). The OpenAPI document is generated
// from these (lib/api/openapi.ts), and the API tests parse every answer with them.
import { z } from "zod";
import { idArg } from "@/lib/http/ids";
import { HEALTH_STATES } from "@/lib/health/evaluate";
import { PLATFORM_IDS } from "@/lib/platforms";

/** The schemas the OpenAPI document names under components/schemas. */
export const apiSchemas = z.registry<{ id: string }>();

/** Every failure's body. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe("Stable machine-readable code, e.g. validation, not_found, forbidden, invalid_token"),
      message: z.string().describe("What went wrong, for a person"),
      fieldErrors: z.record(z.string(), z.string()).optional().describe("Per input field: what is wrong with it"),
    }),
  })
  .register(apiSchemas, { id: "Error" });

const isoDate = z.iso.datetime({ offset: true });
const nullableDate = isoDate.nullable();

export const idPath = z.object({ id: idArg.describe("The row's id") });

export const pageQuery = z.object({
  page: z
    .string()
    .regex(/^[0-9]{1,9}$/, { error: "page must be a whole number" })
    .transform(Number)
    .optional()
    .describe("1-based page (50 per page, like the pages); past the end gives the last page"),
});

function paged<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      page: z.int().min(1),
      perPage: z.int().min(1),
      pageCount: z.int().min(1),
      total: z.int().min(0),
    })
    .register(apiSchemas, { id });
}

export const healthSchema = z
  .object({
    state: z.enum(HEALTH_STATES),
    reason: z.string().nullable(),
    since: nullableDate.describe("When the tunnel entered this state"),
  })
  .register(apiSchemas, { id: "Health" });

export const gatewaySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    siteId: z.string(),
    siteName: z.string(),
    platform: z.string(),
    ipsecStack: z.string(),
    publicIp: z.string(),
    sshHost: z.string(),
    sshPort: z.int(),
    sshUser: z.string(),
    sshAuthType: z.enum(["credential", "key", "password"]).describe("credential: signs in with the named SSH credential sshCredentialId"),
    sshCredentialId: z.string().nullable(),
    hostKey: z.object({
      pinned: z.string().nullable().describe("The pinned SHA256 fingerprint; null until an admin accepts one"),
      offered: z.string().nullable().describe("The fingerprint the gateway offered at the last check"),
    }),
    reachability: z.object({ state: z.string(), reason: z.string().nullable(), at: nullableDate }),
    wanInterface: z.string(),
    lanInterface: z.string(),
    lanAddress: z.string(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .register(apiSchemas, { id: "Gateway" });

export const siteSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    subnets: z.array(z.string()),
    probeTarget: z
      .string()
      .nullable()
      .describe("The host on the site's LAN that health pings through its tunnels; null: router to router only"),
    gateway: z.object({ id: z.string(), name: z.string(), platform: z.string(), publicIp: z.string() }).nullable(),
    createdAt: isoDate,
  })
  .register(apiSchemas, { id: "Site" });

export const siteDetailSchema = siteSchema
  .extend({ tunnelIds: z.array(z.string()).describe("The tunnels of the site's gateway") })
  .register(apiSchemas, { id: "SiteDetail" });

export const tunnelSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["host-to-host", "net-to-net"]),
    deployState: z.enum(["pending", "deployed", "failed", "torn-down"]),
    deployedAt: nullableDate,
    cryptoProfile: z.object({ id: z.string(), name: z.string() }),
    ends: z.array(
      z.object({
        role: z.enum(["a", "b"]),
        interfaceName: z.string(),
        gatewayId: z.string(),
        gatewayName: z.string(),
        siteId: z.string(),
        siteName: z.string(),
        publicIp: z.string(),
        subnets: z.array(z.string()),
      }),
    ),
    health: healthSchema,
    createdAt: isoDate,
  })
  .register(apiSchemas, { id: "Tunnel" });

export const tunnelDetailSchema = tunnelSchema
  .extend({
    keys: z.array(
      z.object({
        version: z.int(),
        status: z.enum(["pending", "active", "retired"]),
        createdAt: isoDate,
        activatedAt: nullableDate,
        retiredAt: nullableDate,
      }),
    ),
    lastSample: z
      .object({
        at: isoDate,
        state: z.string(),
        reason: z.string(),
        latencyMs: z.number().nullable(),
        lossPct: z.number().nullable(),
        bytesIn: z.number().nullable(),
        bytesOut: z.number().nullable(),
        packetsIn: z.number().nullable(),
        packetsOut: z.number().nullable(),
      })
      .nullable()
      .describe("The health poller's last probe of this tunnel"),
  })
  .register(apiSchemas, { id: "TunnelDetail" });

export const jobSchema = z
  .object({
    id: z.string(),
    kind: z.string().describe("deploy | plan | teardown | rotate | …"),
    status: z.enum(["queued", "running", "succeeded", "failed", "interrupted"]),
    targetType: z.string(),
    targetId: z.string(),
    error: z.string().nullable(),
    createdByName: z.string(),
    createdAt: isoDate,
    startedAt: nullableDate,
    finishedAt: nullableDate,
    steps: z.array(z.object({ seq: z.int(), name: z.string(), status: z.string(), detail: z.string().nullable() })),
  })
  .register(apiSchemas, { id: "Job" });

export const jobStartedSchema = z
  .object({
    jobId: z.string(),
    job: z.string().describe("Where to follow it: /api/v1/jobs/{jobId}"),
    tunnels: z.int().optional().describe("Rotation: how many tunnels the job rotates"),
    skipped: z.array(z.string()).optional().describe("Rotation: tunnels left out, and why"),
  })
  .register(apiSchemas, { id: "JobStarted" });

export const jobLogsQuery = z.object({
  after: z
    .string()
    .regex(/^[0-9]{1,9}$/, { error: "after must be a whole number of at most 9 digits" })
    .transform(Number)
    .optional()
    .describe("The last seq the client has; lines after it are returned"),
});

export const jobLogsSchema = z
  .object({
    items: z.array(
      z.object({
        seq: z.int(),
        at: isoDate,
        level: z.enum(["info", "warn", "error"]),
        gateway: z.string().nullable(),
        message: z.string(),
      }),
    ),
    next: z.int().describe("Pass as ?after= to get the lines after these"),
    done: z.boolean().describe("The job has finished: no further lines will come"),
  })
  .register(apiSchemas, { id: "JobLogs" });

export const auditEventSchema = z
  .object({
    id: z.string(),
    at: isoDate,
    actorName: z.string(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    summary: z.string(),
    before: z.unknown().describe("JSON snapshot before the change (never secrets)"),
    after: z.unknown().describe("JSON snapshot after the change (never secrets)"),
  })
  .register(apiSchemas, { id: "AuditEvent" });

export const tunnelListQuery = pageQuery.extend({
  state: z.enum(HEALTH_STATES).optional().describe("Only tunnels in this health state"),
});

const text = (description: string) => z.string().optional().describe(description);

/**
 * The "Add branch office" wizard's fields, as JSON. The wizard's own checks run on them
 * (lib/inventory/branch-office.ts), so missing or wrong values come back as the same
 * field errors the wizard shows, keyed by these names.
 */
export const branchOfficeBody = z
  .object({
    siteName: text("Required. The site's name"),
    description: text("Free text"),
    subnets: z
      .union([z.array(z.string()).max(32), z.string()])
      .optional()
      .describe("Required. The site's LAN subnets (CIDR), as an array or one per line"),
    probeTarget: text("A host on the site's LAN (IPv4) that health pings through the site's tunnels; empty: none"),
    gatewayName: text("Required. The gateway's name"),
    platform: z.enum(PLATFORM_IDS).optional().describe("Required. The gateway's platform"),
    ipsecStack: z.enum(["", "kernel", "libipsec"]).optional().describe("Where the router does ESP; default: the platform's (kernel)"),
    publicIp: text("Required. The tunnel endpoint's public IPv4 address"),
    sshHost: text("SSH address when it differs from publicIp"),
    sshPort: z.union([z.int(), z.string()]).optional().describe("SSH port (default 22)"),
    sshUser: text("Required. SSH user"),
    sshAuthType: z
      .enum(["credential", "key", "password"])
      .optional()
      .describe("Required. credential (a named SSH credential), key or password"),
    sshCredentialId: text("With sshAuthType credential: the credential's id (GET /ssh-credentials)"),
    sshPrivateKey: text("With sshAuthType key: the private key (OpenSSH or PEM)"),
    sshPassword: text("With sshAuthType password"),
    wanInterface: text("Required. The WAN interface, e.g. eth0"),
    lanInterface: text("Required. The LAN interface, e.g. eth1"),
    lanAddress: text("Required. The gateway's address on its LAN"),
    role: z.enum(["hub", "branch"]).optional().describe("Required. hub, or branch (then the tunnel to hubGatewayId is created)"),
    hubGatewayId: text("With role branch: the hub's gateway id"),
    cryptoProfileId: text("With role branch: the crypto profile's id"),
    localInterface: text("ipsecN on this gateway (default: the first free)"),
    hubInterface: text("ipsecN on the hub (default: the first free)"),
    pskMode: z.enum(["generate", "custom"]).optional().describe("generate (default: 256 random bits) or custom"),
    pskValue: text("With pskMode custom: the key"),
    acceptWeakProfile: z
      .union([z.boolean(), z.enum(["true", "on", ""])])
      .optional()
      .describe('true: use a crypto profile the lint rates weak (the wizard\'s "I need this weak profile")'),
  })
  .strict()
  .register(apiSchemas, { id: "BranchOfficeInput" });

export const probeTargetBody = z
  .object({
    probeTarget: z
      .string()
      .nullable()
      .describe(
        "A host (IPv4) inside one of the site's subnets, not its gateway's LAN address; null or empty: none (router to router only)",
      ),
  })
  .strict()
  .register(apiSchemas, { id: "ProbeTargetInput" });

export type BranchOfficeBody = z.infer<typeof branchOfficeBody>;

export const branchOfficeCreatedSchema = z
  .object({
    site: siteDetailSchema,
    gatewayId: z.string(),
    tunnelId: z.string().nullable().describe("The tunnel to the hub (role branch), or null"),
  })
  .register(apiSchemas, { id: "BranchOfficeCreated" });

export const hostKeyCheckSchema = z
  .object({ offered: z.string(), pinned: z.string().nullable() })
  .register(apiSchemas, { id: "HostKeyCheck" });

export const hostKeyAcceptBody = z
  .object({ fingerprint: z.string().max(100).describe("The fingerprint the last check returned (offered)") })
  .strict()
  .register(apiSchemas, { id: "HostKeyAccept" });

export const cryptoProfileListSchema = z
  .object({ items: z.array(z.object({ id: z.string(), name: z.string(), builtIn: z.boolean() })) })
  .register(apiSchemas, { id: "CryptoProfileList" });

export const sshCredentialListSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        origin: z.string().describe("generated | pasted"),
        keyVersion: z.int(),
        publicKey: z.string().describe("The authorized_keys line"),
        fingerprint: z.string(),
        authorizedKeysPath: z.string(),
        rotationUnfinished: z.boolean().describe("A rotation stopped while a router may also hold the next key: rotate again"),
        createdAt: isoDate,
        rotatedAt: nullableDate,
        gateways: z.array(z.object({ id: z.string(), name: z.string() })),
      }),
    ),
  })
  .register(apiSchemas, { id: "SshCredentialList" });

export const sitePageSchema = paged(siteSchema, "SitePage");
export const gatewayPageSchema = paged(gatewaySchema, "GatewayPage");
export const tunnelPageSchema = paged(tunnelSchema, "TunnelPage");
export const auditEventPageSchema = paged(auditEventSchema, "AuditEventPage");

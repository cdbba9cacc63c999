import { requirePageUser } from "@/lib/auth/session";
import { listVisibleApiTokens, SCOPE_LABELS, scopesFor } from "@/lib/api/tokens";
import { Card, PageHeader } from "@/components/ui";
import { ActionButton } from "@/components/action-button";
import { CreateTokenForm } from "./create-token-form";
import { revokeTokenAction } from "./actions";

export const metadata = { title: "API tokens" };

const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) : "—");

export default async function ApiTokensPage() {
  const user = await requirePageUser();
  const tokens = await listVisibleApiTokens(user);
  const now = new Date();
  const isAdmin = user.role === "admin";
  return (
    <>
      <PageHeader
        title="API tokens"
        subtitle={
          <>
            For scripts (the REST API, <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>) and Prometheus (<code>/metrics</code>).{" "}
            {isAdmin ? "You see every user's tokens." : "Your own tokens."}
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="New token">
          <p className="mb-3 text-xs text-slate-500">
            A token acts as you with its scope&apos;s role, never above your own; a metrics token may only read <code>/metrics</code>.
          </p>
          <CreateTokenForm scopes={scopesFor(user.role).map((s) => ({ value: s, label: SCOPE_LABELS[s] }))} />
        </Card>
        <Card title="Tokens" className="lg:col-span-2">
          {tokens.length === 0 ? (
            <p className="text-sm text-slate-600">No tokens yet.</p>
          ) : (
            <table className="w-full text-sm" data-testid="token-table">
              <thead className="text-left text-slate-600">
                <tr>
                  <th className="py-1 pr-3">Name</th>
                  <th className="py-1 pr-3">Token</th>
                  <th className="py-1 pr-3">Scope</th>
                  {isAdmin ? <th className="py-1 pr-3">User</th> : null}
                  <th className="py-1 pr-3">Created</th>
                  <th className="py-1 pr-3">Expires</th>
                  <th className="py-1 pr-3">Last used</th>
                  <th className="py-1 pr-3">State</th>
                  <th />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {tokens.map((t) => {
                  const state = t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt <= now ? "expired" : "active";
                  return (
                    <tr key={t.id} data-token-name={t.name}>
                      <td className="py-1 pr-3">{t.name}</td>
                      <td className="py-1 pr-3 font-mono text-xs">{t.prefix}…</td>
                      <td className="py-1 pr-3">{t.scope}</td>
                      {isAdmin ? <td className="py-1 pr-3">{t.username}</td> : null}
                      <td className="py-1 pr-3 font-mono text-xs">{when(t.createdAt)}</td>
                      <td className="py-1 pr-3 font-mono text-xs">{t.expiresAt ? when(t.expiresAt) : "never"}</td>
                      <td className="py-1 pr-3 font-mono text-xs">{t.lastUsedAt ? when(t.lastUsedAt) : "never"}</td>
                      <td className="py-1 pr-3" data-testid="token-state">
                        {state}
                        {t.revokedBy ? ` by ${t.revokedBy}` : ""}
                      </td>
                      <td className="py-1">
                        {state === "active" ? (
                          <ActionButton
                            label="Revoke"
                            pendingLabel="Revoking…"
                            danger
                            confirm={`Revoke the token “${t.name}”? Anything using it stops working at once.`}
                            action={revokeTokenAction.bind(null, t.id)}
                          />
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </>
  );
}

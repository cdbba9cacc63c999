import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageCredentials, deniedReason } from "@/lib/auth/permissions";
import { listSshCredentials, countGatewaysWithOwnKey } from "@/lib/db/ssh-credentials";
import { listJobs } from "@/lib/db/jobs";
import { authorizedKeysCommand } from "@/lib/ssh/authorized-keys";
import { Card, PageHeader } from "@/components/ui";
import { When } from "@/components/when";
import { ActionButton } from "@/components/action-button";
import { RotateControl } from "@/app/(dash)/tunnels/rotate-control";
import { CreateCredentialForm } from "./create-credential-form";
import { deleteCredentialAction, rotateCredentialAction } from "./actions";

export const metadata = { title: "SSH credentials" };

export default async function SshCredentialsPage() {
  const user = await requirePageUser();
  const [credentials, ownKeys] = await Promise.all([listSshCredentials(), countGatewaysWithOwnKey()]);
  const latestJobs = await Promise.all(credentials.map((c) => listJobs({ targetType: "ssh-credential", targetId: c.id, take: 1 })));
  const denied = deniedReason(user.role, canManageCredentials, "manage SSH credentials");
  return (
    <>
      <PageHeader
        title="SSH credentials"
        subtitle="One management identity for many gateways: create it once, pick it in the wizard or on a gateway, rotate it across all its gateways in one job."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="New credential">
          <CreateCredentialForm disabledReason={denied} />
        </Card>
        <div className="space-y-6 lg:col-span-2">
          {ownKeys > 0 ? (
            <p className="rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-700" data-testid="own-keys-note">
              {ownKeys} gateway(s) sign in with a key or password of their own, which keeps working. On a gateway&apos;s page, “Make a named
              credential” turns its key into one; every gateway holding the same key joins it.
            </p>
          ) : null}
          {credentials.length === 0 ? (
            <Card title="Credentials">
              <p className="text-sm text-slate-600">No credentials yet.</p>
            </Card>
          ) : null}
          {credentials.map((c, i) => (
            <Card key={c.id} title={c.name}>
              <div data-testid="credential" data-credential-name={c.name} className="space-y-3 text-sm">
                <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
                  <dt className="text-slate-500">Fingerprint</dt>
                  <dd className="font-mono text-xs break-all" data-testid="credential-fingerprint">
                    {c.fingerprint}{" "}
                    <span className="font-sans whitespace-nowrap">
                      (key v{c.keyVersion}, {c.origin})
                    </span>
                  </dd>
                  <dt className="text-slate-500">authorized_keys</dt>
                  <dd className="font-mono text-xs">{c.authorizedKeysPath}</dd>
                  <dt className="text-slate-500">Created</dt>
                  <dd>
                    <When date={c.createdAt} />
                  </dd>
                  <dt className="text-slate-500">Rotated</dt>
                  <dd data-testid="credential-rotated">
                    <When date={c.rotatedAt} />
                  </dd>
                  <dt className="text-slate-500">Gateways</dt>
                  <dd data-testid="credential-gateways">
                    {c.gateways.length === 0
                      ? "none yet"
                      : c.gateways.map((g, j) => (
                          <span key={g.id}>
                            {j ? ", " : ""}
                            <Link className="text-blue-800 hover:underline" href={`/gateways/${g.id}`}>
                              {g.name}
                            </Link>{" "}
                            ({g.sshUser})
                          </span>
                        ))}
                  </dd>
                </dl>
                {c.nextPublicKey ? (
                  <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-amber-900" data-testid="credential-next-key">
                    A rotation did not finish: some routers may also accept the next key. Rotate again to finish it.
                  </p>
                ) : null}
                <details>
                  <summary className="cursor-pointer text-blue-800">Public key and the command for a router</summary>
                  <pre
                    className="mt-2 overflow-x-auto rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-xs select-all"
                    data-testid="credential-public-key"
                  >
                    {c.publicKey}
                  </pre>
                  <pre className="mt-2 overflow-x-auto rounded-md border border-amber-300 bg-amber-50 px-3 py-2 font-mono text-xs select-all">
                    {authorizedKeysCommand(c.publicKey, c.authorizedKeysPath)}
                  </pre>
                </details>
                {denied ? (
                  <p className="text-slate-500" data-testid="denied-reason">
                    {denied}
                  </p>
                ) : (
                  <div className="space-y-3">
                    <RotateControl
                      testId="credential-rotate"
                      buttonLabel="Rotate credential"
                      confirmLabel="Rotate now"
                      confirmText={`Generate a new key for ${c.name}, add it on ${c.gateways.length} gateway(s), prove it signs in everywhere, then remove the old key? If any gateway fails, the new key is removed again and the old one keeps working.`}
                      start={rotateCredentialAction.bind(null, c.id)}
                      latestJobId={latestJobs[i]?.[0]?.id ?? null}
                      disabledReason={c.gateways.length === 0 ? "No gateway uses it yet." : null}
                    />
                    {c.gateways.length === 0 ? (
                      <ActionButton
                        label="Delete"
                        pendingLabel="Deleting…"
                        danger
                        confirm={`Delete the credential “${c.name}”? Its private key is gone for good.`}
                        action={deleteCredentialAction.bind(null, c.id)}
                      />
                    ) : null}
                  </div>
                )}
              </div>
            </Card>
          ))}
        </div>
      </div>
    </>
  );
}

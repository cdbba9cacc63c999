// Deploy backups on a real lab router are pruned by the deploy job itself: a router with
// old backups (and things under the backup folder that are not ours) gets a deploy that
// backs up a drifted file; afterwards only the newest N backups remain there, the new one
// among them, and nothing else under or outside the folder was touched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execInRouter, type LabState } from "@/e2e/lab/lab";
import { addLabTunnel, connectionNameOf, runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";

const LAB = "gwprune";
const KEPT = 4;
const B = "/var/lib/gatewarden/backups";
const OUTSIDE = "/var/lib/gatewarden/outside";
let lab: LabState;
let admin: { id: string; username: string };
let tunnelId: string;

async function sh(router: string, script: string) {
  const r = await execInRouter(lab, router, ["sh", "-euc", script]);
  if (r.code !== 0) throw new Error(`${router}: ${script}\n${r.stderr}`);
  return r.stdout;
}

/** Eight old backups a day apart in 2020, one dated a year ahead (a clock set wrong), and things that are not ours. */
const SEED = `
rm -rf ${B} ${OUTSIDE}
mkdir -p ${B}/future ${OUTSIDE}
echo 'old psk' > ${OUTSIDE}/secret
for i in 0 1 2 3 4 5 6 7; do
  mkdir -p ${B}/old-$i/etc/swanctl/conf.d
  echo "old $i" > ${B}/old-$i/etc/swanctl/conf.d/gw-x.secrets.conf
  touch -d @$((1577836800 + i * 86400)) ${B}/old-$i
done
touch -d @$(( $(date +%s) + 31536000 )) ${B}/future
echo note > ${B}/notes.txt
mkdir ${B}/manual.copy
echo x > ${B}/filejob
ln -s ${OUTSIDE} ${B}/linked
touch -d @1500000000 ${B}/notes.txt ${B}/manual.copy ${B}/filejob
touch -h -d @1500000000 ${B}/linked
`;

const listBackups = async (router: string) => (await sh(router, `ls -A ${B}`)).split("\n").filter(Boolean).sort();

beforeAll(async () => {
  // Read once by getEnv, which the app's modules first call when startLabApp makes the fresh database.
  process.env.GATEWARDEN_DEPLOY_BACKUPS_KEPT = String(KEPT);
  const app = await startLabApp({ name: LAB, sites: 2, platforms: ["strongswan"] });
  ({ lab, admin } = app);
  tunnelId = await addLabTunnel(admin, app.gatewayIds, { a: "hq", b: "branch1", profile: "Modern" });
  const first = await runJobToEnd(admin, "deploy", { tunnelId });
  expect(first.error).toBeNull();
});

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("deploy backups on a lab router", () => {
  it("a deploy that backs up keeps the newest backups (its own among them) and touches nothing that is not a backup", async () => {
    await sh("hq", SEED);
    await sh("branch1", SEED);
    const conf = `/etc/swanctl/conf.d/${await connectionNameOf(tunnelId)}.conf`;
    // Drift on hq only: the redeploy changes (and so backs up) one file there, nothing on branch1.
    await sh("hq", `echo '# drift' >> ${conf}`);
    const branch1Before = await listBackups("branch1");

    const job = await runJobToEnd(admin, "deploy", { tunnelId });
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");

    // Newest by mtime: the future-dated one, old-7, old-6, and the job's own (dated now, so older than "future").
    const foreign = ["filejob", "linked", "manual.copy", "notes.txt"];
    expect(await listBackups("hq")).toEqual([...foreign, "future", job.id, "old-6", "old-7"].sort());
    expect(await sh("hq", `cat ${B}/${job.id}${conf}`)).toContain("# drift");
    expect(await sh("hq", `stat -c %a ${B}/${job.id}${conf}`)).toBe("600\n");
    // The symlink with a job-id-like name was neither followed nor deleted.
    expect(await sh("hq", `readlink ${B}/linked; cat ${OUTSIDE}/secret`)).toBe(`${OUTSIDE}\nold psk\n`);
    // branch1 got no backup in this job, so its backups were left as they were.
    expect(await listBackups("branch1")).toEqual(branch1Before);
    expect(branch1Before).toHaveLength(9 + foreign.length);
  });

  it("keeps no key in a backup: a changed secret file is restored from the job, never copied into the backup folder", async () => {
    const name = await connectionNameOf(tunnelId);
    const secrets = `/etc/swanctl/conf.d/${name}.secrets.conf`;
    const conf = `/etc/swanctl/conf.d/${name}.conf`;
    await sh("hq", `sed -i 's/secret = .*/secret = "RetiredKeyThatMustNotStay0123456789"/' ${secrets}; echo '# drift' >> ${conf}`);
    const job = await runJobToEnd(admin, "deploy", { tunnelId });
    expect(job.status).toBe("succeeded");
    expect(await sh("hq", `find ${B}/${job.id} -type f | sort`)).toBe(`${B}/${job.id}${conf}\n`);
    expect(await sh("hq", `grep -rl RetiredKeyThatMustNotStay ${B} /etc/swanctl || true`)).toBe("");
  });
});

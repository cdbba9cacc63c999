import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/session";
import { getJob } from "@/lib/db/jobs";
import { Card, PageHeader } from "@/components/ui";
import { JobProgress } from "@/components/job-progress";

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const job = await getJob((await params).id, Number.MAX_SAFE_INTEGER);
  if (!job) notFound();
  return (
    <>
      <PageHeader
        title={`Job: ${job.kind}`}
        subtitle={
          job.targetType === "tunnel" ? (
            <Link className="text-blue-800 hover:underline" href={`/tunnels/${job.targetId}`}>
              the tunnel
            </Link>
          ) : (
            job.targetType
          )
        }
      />
      <Card>
        <JobProgress jobId={job.id} />
      </Card>
    </>
  );
}

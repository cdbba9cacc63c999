// "51–100 of 1,000 tunnels" with previous/next links, under a paginated list.
import Link from "next/link";
import type { PageWindow } from "@/lib/domain/pagination";

export function Pagination({ window: w, noun, href }: { window: PageWindow; noun: string; href: (page: number) => string }) {
  const link = "rounded-md border border-slate-300 bg-white px-3 py-1 font-medium text-slate-800 hover:bg-slate-50";
  const off = "rounded-md border border-slate-200 px-3 py-1 text-slate-400";
  return (
    <nav
      aria-label="Pages"
      className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600"
      data-testid="pagination"
    >
      <p data-testid="page-range">{w.total ? `${w.first}–${w.last} of ${w.total} ${noun}` : `No ${noun}`}</p>
      {w.pageCount > 1 ? (
        <div className="flex items-center gap-2">
          {w.prev ? (
            <Link href={href(w.prev)} rel="prev" className={link}>
              Previous
            </Link>
          ) : (
            <span className={off}>Previous</span>
          )}
          <span>
            Page {w.page} of {w.pageCount}
          </span>
          {w.next ? (
            <Link href={href(w.next)} rel="next" className={link}>
              Next
            </Link>
          ) : (
            <span className={off}>Next</span>
          )}
        </div>
      ) : null}
    </nav>
  );
}
